package feeds

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// trapPage holds the go-trafilatura traps: emphasis inside a blockquote
// paragraph, a space before punctuation after an inline element, an <h1>
// with itemprop="headline", and page furniture around the story.
const trapPage = `<!DOCTYPE html><html><head><title>Ferry strike | The Sound Courier</title>
<link rel="canonical" href="/news/ferry-strike">
<meta property="og:url" content="https://example.org/og/ferry">
<script>var x = "“not a quote”";</script><style>p{color:red}</style></head>
<body><header class="site-header"><a href="/">The Sound Courier</a><nav><a href="/news">News</a></nav></header>
<main><article>
<h1 itemprop="headline">Ferry crews walk out over &ldquo;winter rota&rdquo;</h1>
<p class="byline">By Niamh Rooney</p>
<div class="share-bar"><a href="#">Share on X</a></div>
<figure><img src="a.jpg"><figcaption>Ferries tied up at the pier. Photo: Staff</figcaption></figure>
<p>A 24-hour strike has halted the three ferries between Skerrin Island and Ballymaddock, stranding commuters on both sides of the sound on Monday morning.</p>
<blockquote><p>&ldquo;Our members are not refusing to work the <em>winter</em>. They are refusing to work it <b>exhausted</b>, on a stretch of water that does not forgive mistakes,&rdquo; said Ciarán Mulvihill, the union&rsquo;s regional organiser.</p></blockquote>
<p>The company said it would review the rota <em>next week</em>, after the strike ends and talks resume with the union at the regional council offices.</p>
<div class="newsletter"><p>Sign up for our newsletter</p></div>
<p>The company&rsquo;s chief executive, Shona Breckenridge, said the offer was still on the table and that she hoped crews would return to work by the weekend.</p>
<aside class="related"><h2>More on the ferries</h2><a href="/x">Fares rise</a></aside>
</article></main><footer><p>© 2026 The Sound Courier</p></footer></body></html>`

func TestExtractPage(t *testing.T) {
	p, err := ExtractPage([]byte(trapPage), "https://example.org/news/today")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Headline, "Ferry crews walk out over “winter rota”"; got != want {
		t.Errorf("headline: got %q, want %q", got, want)
	}
	if got, want := p.Canonical, "https://example.org/news/ferry-strike"; got != want {
		t.Errorf("canonical: got %q, want %q", got, want)
	}
	wantIn := []string{
		"“Our members are not refusing to work the winter. They are refusing to work it exhausted, on a stretch of water that does not forgive mistakes,” said Ciarán Mulvihill, the union’s regional organiser.",
		"review the rota next week, after",
		"The company’s chief executive, Shona Breckenridge, said",
	}
	for _, w := range wantIn {
		if !strings.Contains(p.Text, w) {
			t.Errorf("text lacks %q:\n%s", w, p.Text)
		}
	}
	for _, bad := range []string{"Share on X", "newsletter", "Photo: Staff", "By Niamh Rooney", "More on the ferries", "©", "winter rota", "not a quote", "Sound Courier"} {
		if strings.Contains(p.Text, bad) {
			t.Errorf("text holds furniture %q:\n%s", bad, p.Text)
		}
	}
	for _, para := range strings.Split(p.Text, "\n\n") {
		if strings.Contains(para, " ,") || strings.Contains(para, " .") {
			t.Errorf("space before punctuation in %q", para)
		}
	}
}

func TestExtractPageFallbacks(t *testing.T) {
	tests := []struct {
		name, html, headline, canonical string
	}{
		{"title when no h1", `<html><head><title>Only title</title><meta property="og:url" content="/og"></head><body><p>Some text here that is long enough to be the article body for the extractor to keep.</p></body></html>`, "Only title", "https://example.org/og"},
		{"empty page", `<html></html>`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ExtractPage([]byte(tt.html), "https://example.org/a")
			if err != nil {
				t.Fatal(err)
			}
			if p.Headline != tt.headline || p.Canonical != tt.canonical {
				t.Errorf("got %+v, want headline %q canonical %q", p, tt.headline, tt.canonical)
			}
		})
	}
}

func TestMendParagraphs(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"split at em", []string{"“We will work the", "winter, not the summer,” she said."}, []string{"“We will work the winter, not the summer,” she said."}},
		{"split before punctuation", []string{"review it next week", ", after the strike."}, []string{"review it next week, after the strike."}},
		{"real break", []string{"One sentence.", "Another one."}, []string{"One sentence.", "Another one."}},
		{"space before comma", []string{"next week ,” she said ."}, []string{"next week,” she said."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mendParagraphs(tt.in, nil)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// evalPages returns the HTML pages of the shared evaluation cases.
func evalPages(b *testing.B) [][]byte {
	var out [][]byte
	files, _ := filepath.Glob("../../shared/eval/dev/*.json")
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var c struct{ Old, New string }
		if json.Unmarshal(raw, &c) != nil {
			continue
		}
		for _, s := range []string{c.Old, c.New} {
			if strings.HasPrefix(strings.TrimSpace(s), "<") {
				out = append(out, []byte(s))
			}
		}
	}
	if len(out) == 0 {
		out = append(out, []byte(trapPage))
	}
	return out
}

func BenchmarkExtractPage(b *testing.B) {
	pages := evalPages(b)
	var n int64
	for _, p := range pages {
		n += int64(len(p))
	}
	b.SetBytes(n)
	for b.Loop() {
		for _, p := range pages {
			if _, err := ExtractPage(p, "https://example.org/a"); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkHTMLToTextPage(b *testing.B) {
	pages := evalPages(b)
	var n int64
	for _, p := range pages {
		n += int64(len(p))
	}
	b.SetBytes(n)
	for b.Loop() {
		for _, p := range pages {
			HTMLToText(string(p))
		}
	}
}

// TestExtractPageSeparation: text from separate elements of a page does not
// run together, and inline markup adds no space the page did not have.
func TestExtractPageSeparation(t *testing.T) {
	const filler = `<p>The council met on Tuesday evening to discuss the harbour plan, which has been debated for most of the year by residents and traders alike.</p>
<p>Several speakers said the plan would change the character of the waterfront, while others welcomed the new jobs it promised to bring to the town.</p>`
	tests := []struct {
		name, body string
		want       []string
	}{
		{"inline link around bold", `<p>Is veteran <a href="/p/1"><strong>Chris Smith</strong></a> going to get most of the snaps this week, or will the coaches rotate the whole line?</p>`,
			[]string{"Is veteran Chris Smith going to get"}},
		{"no space added before punctuation", `<p>The company said it would review the rota <em>next week</em>, after the strike ends and talks resume with the union.</p>`,
			[]string{"review the rota next week, after"}},
		{"list items", `<p>The plan has three parts that the council will vote on separately next month:</p><ul><li>a new breakwater</li><li>a ferry terminal</li><li>housing on the old quay</li></ul>`,
			[]string{"a new breakwater\n\na ferry terminal\n\nhousing on the old quay"}},
		{"table cells", `<p>The vote went as follows, with two councillors absent from the chamber:</p><table><tr><td>For</td><td>12</td></tr><tr><td>Against</td><td>9</td></tr></table>`,
			[]string{"For 12", "Against 9"}},
		{"line break", `<p>The motion read: first line of the motion<br>second line of the motion, which was longer than the first one by far.</p>`,
			[]string{"first line of the motion\nsecond line"}},
		{"page inside a form", `<form id="aspnetForm"><div>` + filler + `<p>The mayor said the vote would be held in March after another round of public meetings in the town hall and in the harbour district.</p><p>Traders on the quay said they had not been asked about the ferry terminal and would bring a petition to the next meeting of the council.</p><p>The harbour master said the breakwater was needed whatever the council decided about the rest of the plan, because of the winter storms.</p></div></form>`,
			[]string{"The mayor said the vote would be held in March"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<html><head><title>Harbour plan</title></head><body><article>` + filler + tt.body + `</article></body></html>`
			p, err := ExtractPage([]byte(page), "https://example.org/harbour")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, p.Text)
				}
			}
		})
	}
}

func TestExtractPageSplitBody(t *testing.T) {
	rest := map[string]string{
		"First part.":              "The council met on Tuesday evening to discuss the harbour plan, debated for most of the year.",
		"Second para.":             "Residents and traders alike said the new breakwater would change the character of the town.",
		"Third part after the ad.": "The mayor said a vote would be held in March after another round of public meetings.",
		"Fourth para.":             "Fishermen on the old quay asked whether their moorings would be moved during the works.",
	}
	para := func(s string) string { return `<p>` + s + ` ` + rest[s] + `</p>` }
	page := `<html><body><main><article>
<div class="grid"><div class="body article__body">` + para("First part.") + para("Second para.") + `</div></div>
<div class="ad-rail"><span>Advertisement</span></div>
<div class="grid"><div class="body article__body">` + para("Third part after the ad.") + para("Fourth para.") + `</div></div>
<div class="grid"><div class="body article__body">` + para("First part.") + `</div></div>
</article></main></body></html>`
	p, err := ExtractPage([]byte(page), "https://example.org/split")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"First part.", "Fourth para."} {
		if !strings.Contains(p.Text, w) {
			t.Errorf("text lacks %q:\n%s", w, p.Text)
		}
	}
	// the merge moves the second part into the first and leaves the copy
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	mergeSplitBodies(doc)
	var got []string
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.ElementNode && attr(n, "class") == "body article__body" {
			got = append(got, firstParagraph(n)[:12])
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(doc)
	if want := []string{"First part. ", "First part. "}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("containers after the merge: got %q, want %q", got, want)
	}
}

func TestPromoLine(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Related: Salesforce Dreamforce Keynote", true},
		{"READ MORE: Alibaba poised to launch record-breaking listing", true},
		{"Leggi anche: I Cavalieri dello Zodiaco", true},
		{"(Reporting by Rodrigo Campos; Editing by Nick Zieminski and Dan Grebler)", true},
		{"Reporting by Greg Roumeliotis, Joshua Franklin; editing by Martin Howell", true},
		{"(Editing by Martin Howell)", true},
		{"Reach the reporters on Twitter at http://twitter.com/MegKinnardAP", true},
		{"Write to Al Root at allen.root@dowjones.com", true},
		{"More: the council's report", true},
		{"Related stories were published by the council on Monday.", false},
		{"More than 40 people were hurt, police said.", false},
		{"Reporting by the newspaper led to the inquiry, she said.", false},
		{"“Read more books,” the minister said.", false},
		{"Write to your MP, the campaign urged its members.", false},
	}
	for _, tt := range tests {
		if got := promoLine.MatchString(tt.in); got != tt.want {
			t.Errorf("promoLine(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestExtractPageHeadlineNotInText: the headline's <h1> is seen by the
// extractor but is never part of the text, also when the text comes from the
// fallback for pages the extractor finds nothing in.
func TestExtractPageHeadlineNotInText(t *testing.T) {
	tests := []struct{ name, page, headline, text string }{
		{"extracted", trapPage, "Ferry crews walk out over “winter rota”", "A 24-hour strike has halted"},
		{"fallback", `<html><head><title>Site</title></head><body><h1>Only a headline</h1></body></html>`, "Only a headline", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ExtractPage([]byte(tt.page), "https://example.org/a")
			if err != nil {
				t.Fatal(err)
			}
			if p.Headline != tt.headline || !strings.HasPrefix(p.Text, tt.text) || strings.Contains(p.Text, p.Headline) {
				t.Errorf("got headline %q text %q, want headline %q and text starting %q without the headline", p.Headline, p.Text, tt.headline, tt.text)
			}
		})
	}
}
