package diff

import (
	"embed"
	"strings"
)

//go:embed data/*.txt
var dataFS embed.FS

// wordSet reads an embedded word list: one entry per line, lines starting
// with # are comments.
func wordSet(name string) map[string]bool {
	m := map[string]bool{}
	for _, l := range dataLines(name) {
		m[l] = true
	}
	return m
}

func dataLines(name string) []string {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		panic("diff: missing embedded data file " + name)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out
}

var (
	speechVerbs = wordSet("speechverbs.txt")
	titleHeads  = wordSet("titleheads.txt")
	qualifiers  = wordSet("qualifiers.txt")
	nonPerson   = wordSet("nonperson.txt")
	abbrevs     = wordSet("abbrevs.txt")
	demonyms    = func() map[string]string {
		m := map[string]string{}
		for _, l := range dataLines("demonyms.txt") {
			if a, b, ok := strings.Cut(l, "\t"); ok {
				m[a] = b
			}
		}
		return m
	}()
)
