package diff

import (
	"fmt"
	"os"
	"testing"
)

func TestDebug(t *testing.T) {
	b, err := os.ReadFile("/tmp/case.txt")
	if err != nil {
		t.Skip()
	}
	a := ParsePlain(string(b))
	d := prepare(a.Body)
	for _, s := range d.seqs {
		fmt.Printf("seq p%d %q name=%q person=%v poss=%v\n", s.p, d.paras[s.p][d.toks[s.p][s.i].start:d.toks[s.p][s.j-1].end], s.name, s.person, s.possessive)
	}
	fmt.Println(d.pp.full)
	for _, th := range d.titles {
		fmt.Printf("title %q %q\n", th.person, th.title)
	}
}
