package feeds

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHTMLToTextAndPage: reducing any HTML to text, as a fragment or as a
// whole page, never panics and gives clean paragraphs: valid UTF-8 when the
// input was, no empty paragraph, no space at either end of one.
func FuzzHTMLToTextAndPage(f *testing.F) {
	for _, s := range []string{
		"<p>One</p><p>Two &amp; three</p>",
		"<blockquote><p>“We will <em>appeal</em>,” she said.</p></blockquote>",
		"<div><script>alert(1)</script><p>Text<br>more</p></div>",
		"<html><head><title>T</title><link rel=canonical href=/a></head><body><h1>H</h1><article><p>Body text here.</p></article></body></html>",
		"<table><tr><td>a</td></tr></table><ul><li>x</li><li>y</li></ul>",
		"plain text with no markup",
		"<p>unclosed <b>bold <i>italic</p>",
		"&nbsp;&#8220;quoted&#8221; &mdash; dash",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		check := func(what, out string) {
			if utf8.ValidString(in) && !utf8.ValidString(out) {
				t.Fatalf("%s: invalid UTF-8 out of valid input: %q", what, out)
			}
			if out == "" {
				return
			}
			for _, p := range strings.Split(out, "\n\n") {
				if p == "" || strings.TrimSpace(p) != p {
					t.Fatalf("%s: untidy paragraph %q in %q", what, p, out)
				}
			}
		}
		check("HTMLToText", HTMLToText(in))
		page, err := ExtractPage([]byte(in), "https://example.com/story")
		if err == nil {
			check("ExtractPage", page.Text)
		}
	})
}
