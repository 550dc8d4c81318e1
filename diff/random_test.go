package diff

import (
	"math/rand"
	"testing"
	"time"
)

// TestRandomInputs runs extraction and comparison over random texts made of
// quote marks, names, verbs and breaks: nothing may panic or hang.
func TestRandomInputs(t *testing.T) {
	iterations := 20000
	if testing.Short() {
		iterations = 2000
	}
	alpha := []string{"“", "”", "\"", "'", "’", "‘", "„", "«", "»", " ", "\n", "\n\n", "a", "B", "said", " Smith", ",", ".", ":", "—", "--", "the", "Mayor", "’s", "of", "As", "who", "is", "according", "to", "—", "-", "U.S.", "Mr.", "0", "é", "\t", "(", ")"}
	r := rand.New(rand.NewSource(1))
	for n := 0; n < iterations; n++ {
		var s string
		k := r.Intn(40)
		for i := 0; i < k; i++ {
			s += alpha[r.Intn(len(alpha))]
		}
		done := make(chan bool)
		go func() {
			Extract(ParsePlain(s))
			Compare(ParsePlain(s), ParsePlain(s+" x"))
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("hang on %q", s)
		}
	}
}
