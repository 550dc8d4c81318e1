package feeds

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello  world", "Hello world"},
		{"paragraphs", "<p>One <b>two</b>.</p><p>Three&nbsp;four &amp; five</p>", "One two.\n\nThree four & five"},
		{"divs and lists", "<div>A</div><ul><li>B</li><li>C</li></ul>", "A\n\nB\n\nC"},
		{"headings", "<h2>Head</h2>text after", "Head\n\ntext after"},
		{"blockquote", "<blockquote><p>“We <em>will</em> win,” she said.</p></blockquote>", "“We will win,” she said."},
		{"br", "line one<br>line two<br><br>new para", "line one\nline two\n\nnew para"},
		{"dropped", "<p>keep</p><script>var x=1;</script><style>p{}</style><nav>menu</nav><p>also</p>", "keep\n\nalso"},
		{"inline no space added", "<p><a href=x>link</a>, then</p>", "link, then"},
		{"figcaption", "<figure><img src=a><figcaption>A caption</figcaption></figure><p>Body</p>", "A caption\n\nBody"},
		{"entities", "<p>&ldquo;Hi&rdquo; &#8212; &lt;tag&gt;</p>", "“Hi” — <tag>"},
		{"whitespace", "<p>a\n\n   b\t c</p>", "a b c"},
		{"empty", "", ""},
		{"block-styled span", `<blockquote class="pull-quote"><span class="quote">which is super exciting.</span><span class="attribution" style="display:block;">Nusaybah Mohamed</span></blockquote>`, "which is super exciting.\n\nNusaybah Mohamed"},
		{"sentence then capital across spans", `<p><span>It was exciting.</span><span>Nusaybah Mohamed said so.</span></p>`, "It was exciting. Nusaybah Mohamed said so."},
		{"quote closed then capital", `<p><span>“We won.”</span><b>Then</b> we left.</p>`, "“We won.” Then we left."},
		{"abbreviation inside one text", `<p>The U.S.Army and node.Js</p>`, "The U.S.Army and node.Js"},
		{"table cells", "<table><tr><td>1</td><td>Kyle Busch</td></tr></table>", "1 Kyle Busch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func BenchmarkHTMLToText(b *testing.B) {
	var s string
	for i := 0; i < 50; i++ {
		s += "<p>“We can offer <em>grain</em>, lorries, cold storage,” <a href='/x'>Marsh</a> said.</p><div>Another &amp; block<br>with a break</div>"
	}
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		HTMLToText(s)
	}
}
