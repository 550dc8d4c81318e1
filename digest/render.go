package digest

import (
	"github.com/stet-news/stet/change"

	"html/template"
	"strings"
	"unicode/utf8"
)

// textWidth is where the plain-text part wraps; longer words (links) stay
// whole on a line of their own.
const textWidth = 72

// renderText lays the digest out as plain text. Changed words are marked
// [-deleted-] and {+inserted+} (the wdiff convention).
func renderText(d *doc) string {
	var b strings.Builder
	b.WriteString("stet digest for " + d.Day + ": " + d.Title + "\n")
	if d.NumChanges > 0 {
		b.WriteString("Changed words are marked [-removed-] and {+added+}; lines\nstarting with > are the article's sentence.\n")
	}
	if len(d.Feeds) > 1 {
		b.WriteString("\nFeeds:\n")
		for _, f := range d.Feeds {
			wrap(&b, f.Name+" ("+plural(f.Count, "change", "changes")+")", "  * ", "    ")
		}
	}
	for _, f := range d.Feeds {
		b.WriteString("\n\n")
		name := shorten(f.Name, textWidth)
		b.WriteString(name + "\n" + strings.Repeat("-", utf8.RuneCountInString(name)) + "\n")
		if f.URL != f.Name {
			b.WriteString(textLink(f.URL, f.Link) + "\n")
		}
		for _, a := range f.Article {
			b.WriteString("\n")
			wrap(&b, a.Headline, "", "")
			if a.URL != "" {
				b.WriteString(textLink(a.URL, a.Link) + "\n")
			}
			for _, c := range a.Changes {
				b.WriteString("\n")
				words := strings.Fields(c.Sentence)
				if c.When != "" {
					words = append(words, "(found "+c.When+")") // kept on one line
				}
				wrapWords(&b, words, "  * ", "    ")
				if len(c.Pieces) > 0 {
					wrap(&b, textPieces(c.Pieces, c.Quoted), "    ", "    ")
				}
				if len(c.Context) > 0 {
					var ctx strings.Builder
					for _, p := range c.Context {
						ctx.WriteString(p.Text)
					}
					wrap(&b, ctx.String(), "    > ", "    > ")
				}
				if c.DiffLink != "" {
					b.WriteString("    Diff, " + c.DiffText + ": <" + c.DiffLink + ">\n")
				}
			}
		}
	}
	if o := d.Overflow; o != nil {
		b.WriteString("\n\nNot shown here\n--------------\n")
		wrap(&b, overflowSentence(o), "", "")
		for _, f := range o.Feeds {
			b.WriteString("\n")
			wrap(&b, f.Name, "", "")
			for _, a := range f.Articles {
				wrap(&b, a.Headline+" ("+plural(a.Count, "change", "changes")+")", "  * ", "    ")
				if a.Link != "" {
					b.WriteString("    <" + a.Link + ">\n")
				}
			}
		}
		if o.MoreArticles > 0 {
			b.WriteString("\n")
			wrap(&b, "and "+plural(o.MoreArticles, "more article", "more articles")+".", "", "")
		}
	}
	if len(d.Problems) > 0 {
		b.WriteString("\n\nSources with problems\n---------------------\n")
		for _, p := range d.Problems {
			b.WriteString("\n")
			src := textLink(p.Source, p.Link)
			if p.Feed != "" {
				src += " (" + p.Feed + ")"
			}
			wrap(&b, src, "  * ", "    ")
			for _, l := range p.Lines {
				wrap(&b, l.What, "    ", "    ")
				if l.Since != "" {
					wrap(&b, l.Since, "    ", "    ")
				}
			}
		}
	}
	b.WriteString("\n-- \nSent by stet, which watches your feeds for silent edits.\n")
	return b.String()
}

// textLink shows a web link in angle brackets, and anything else (a
// javascript: or data: "link") as inert, shortened text.
func textLink(shown, link string) string {
	if link != "" {
		return "<" + link + ">"
	}
	return shorten(shown, 100) + " (not a web link)"
}

func textPieces(ps []piece, quoted bool) string {
	var b strings.Builder
	if quoted {
		b.WriteString("“")
	}
	for _, p := range ps {
		switch p.Kind {
		case pieceDelete:
			b.WriteString("[-" + p.Text + "-]")
		case pieceInsert:
			b.WriteString("{+" + p.Text + "+}")
		default:
			b.WriteString(p.Text)
		}
	}
	if quoted {
		b.WriteString("”")
	}
	return b.String()
}

// wrap writes s (single-spaced) as lines of at most textWidth runes, the
// first prefixed by first and the others by rest.
func wrap(b *strings.Builder, s, first, rest string) {
	wrapWords(b, strings.Fields(s), first, rest)
}

// wrapWords is wrap over words that may contain spaces of their own.
func wrapWords(b *strings.Builder, words []string, first, rest string) {
	line, n, have := first, utf8.RuneCountInString(first), false
	for _, w := range words {
		wl := utf8.RuneCountInString(w)
		if have && n+1+wl > textWidth {
			b.WriteString(line + "\n")
			line, n, have = rest, utf8.RuneCountInString(rest), false
		}
		if have {
			line += " "
			n++
		}
		line += w
		n += wl
		have = true
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
}

// Inline styles only: mail clients drop <style> blocks and restyle <del>
// and <ins>.
const (
	styleDel = "color:#b3261e;background-color:#fde7e7;text-decoration:line-through;"
	styleIns = "color:#1e6b2f;background-color:#e3f4e6;text-decoration:none;"
)

// fontStack is the system sans-serif of each platform, in the body's
// inline style: mail clients drop <style> blocks.
const fontStack = `-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif`

var htmlTmpl = template.Must(template.New("digest").Funcs(template.FuncMap{
	"styleDel":         func() template.CSS { return styleDel },
	"styleIns":         func() template.CSS { return styleIns },
	"font":             func() template.CSS { return fontStack },
	"overflowSentence": overflowSentence,
	"plural":           plural,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f1f3f4;color:#202124;font-family:{{font}};font-size:16px;line-height:1.5;-webkit-text-size-adjust:100%;">
<div style="max-width:680px;margin:0 auto;padding:12px;overflow-wrap:break-word;word-wrap:break-word;">
<div style="background-color:#ffffff;border:1px solid #dadce0;border-radius:8px;padding:20px 20px 12px 20px;">
<p style="margin:0 0 4px 0;font-size:13px;color:#5f6368;letter-spacing:0.02em;">stet digest · {{.Day}}</p>
<h1 style="margin:0 0 8px 0;font-size:24px;line-height:1.25;font-weight:700;">{{.Title}}</h1>
<p style="margin:0 0 12px 0;font-size:14px;color:#3c4043;">
{{- if .NumChanges}}in {{plural (len .Feeds) "feed" "feeds"}}{{if .Overflow}}, {{plural .Overflow.Changes "change" "changes"}} not shown here{{end}}{{else}}No silent edits found{{end}}
{{- if .Problems}} · <a href="#problems" style="color:#b3261e;">{{plural (len .Problems) "source" "sources"}} with problems</a>{{end}}</p>
{{- if .NumChanges}}
<p style="margin:0 0 12px 0;font-size:13px;color:#5f6368;">Changed words are marked <span style="{{styleDel}}">removed</span> and <span style="{{styleIns}}">added</span>; the grey box under a change is the sentence of the article it stands in.</p>
{{- end}}
{{- if .Feeds}}
<div style="margin:0 0 8px 0;padding:10px 14px;background-color:#f8f9fa;border-radius:6px;">
<p style="margin:0 0 4px 0;font-size:12px;font-weight:700;color:#5f6368;text-transform:uppercase;letter-spacing:0.05em;">In this digest</p>
<ul style="margin:0;padding:0 0 0 18px;font-size:14px;">
{{- range .Feeds}}
<li style="margin:2px 0;"><a href="#{{.Anchor}}" style="color:#1a0dab;text-decoration:none;">{{.Name}}</a> <span style="color:#5f6368;">{{plural .Count "change" "changes"}}</span></li>
{{- end}}
{{- with .Overflow}}
<li style="margin:2px 0;"><a href="#not-shown" style="color:#1a0dab;text-decoration:none;">Not shown here</a> <span style="color:#5f6368;">{{plural .Changes "change" "changes"}}</span></li>
{{- end}}
</ul>
</div>
{{- end}}
</div>
{{- range .Feeds}}
<div style="background-color:#ffffff;border:1px solid #dadce0;border-radius:8px;padding:4px 20px 8px 20px;margin:12px 0 0 0;">
<h2 id="{{.Anchor}}" style="margin:14px 0 12px 0;padding:0 0 6px 0;border-bottom:1px solid #dadce0;font-size:18px;line-height:1.3;">
{{- if .Link}}<a href="{{.Link}}" style="color:#202124;text-decoration:none;">{{.Name}}</a>{{else}}{{.Name}}{{end}}</h2>
{{- range .Article}}
<div style="margin:0 0 18px 0;">
<h3 style="margin:0 0 2px 0;font-size:17px;line-height:1.35;font-weight:700;">
{{- if .Link}}<a href="{{.Link}}" style="color:#1a0dab;text-decoration:none;">{{.Headline}}</a>{{else}}{{.Headline}}{{end}}</h3>
{{- if and .URL (not .Link)}}
<p style="margin:0;font-size:12px;color:#5f6368;">{{.URL}} (not a web link)</p>
{{- end}}
{{- $art := .Link}}
<ul style="margin:8px 0 0 0;padding:0 0 0 18px;">
{{- range .Changes}}
<li style="margin:0 0 14px 0;"><span style="font-size:15px;font-weight:bold;">{{.Sentence}}</span>
{{- if .When}} <span style="font-size:12px;color:#5f6368;white-space:nowrap;">found {{.When}}</span>{{end}}
{{- if .Pieces}}
<div style="margin:4px 0 0 0;padding:2px 0 2px 10px;border-left:3px solid #dadce0;font-size:16px;">
{{- if .Quoted}}“{{end}}
{{- range .HTMLPieces}}{{if .Del}}<span style="{{styleDel}}">{{.Text}}</span>{{else if .Ins}}<span style="{{styleIns}}">{{.Text}}</span>{{else}}{{.Text}}{{end}}{{end}}
{{- if .Quoted}}”{{end}}</div>
{{- end}}
{{- if .Context}}
<p style="margin:6px 0 0 0;padding:6px 10px;background-color:#f8f9fa;border-radius:4px;font-size:14px;color:#3c4043;">
{{- range .Context}}{{if .Hit}}<strong style="color:#202124;">{{.Text}}</strong>{{else}}{{.Text}}{{end}}{{end}}</p>
{{- end}}
{{- if or $art .DiffLink}}
<p style="margin:6px 0 0 0;font-size:13px;">
{{- if $art}}<a href="{{$art}}" style="color:#1a0dab;">Article</a>{{end}}
{{- if and $art .DiffLink}} · {{end}}
{{- if .DiffLink}}<a href="{{.DiffLink}}" style="color:#1a0dab;">Diff on the web view</a> <span style="color:#5f6368;">({{.DiffText}})</span>{{end}}</p>
{{- end}}</li>
{{- end}}
</ul>
</div>
{{- end}}
</div>
{{- end}}
{{- with .Overflow}}
<div style="background-color:#ffffff;border:1px solid #dadce0;border-radius:8px;padding:4px 20px 12px 20px;margin:12px 0 0 0;">
<h2 id="not-shown" style="margin:14px 0 12px 0;padding:0 0 6px 0;border-bottom:1px solid #dadce0;font-size:18px;">Not shown here</h2>
<p style="margin:0 0 12px 0;font-size:14px;">{{overflowSentence .}}</p>
{{- range .Feeds}}
<p style="margin:12px 0 4px 0;font-size:14px;font-weight:bold;">{{.Name}}</p>
<ul style="margin:0;padding:0 0 0 18px;font-size:14px;">
{{- range .Articles}}
<li style="margin:0 0 4px 0;">{{if .Link}}<a href="{{.Link}}" style="color:#1a0dab;">{{.Headline}}</a>{{else}}{{.Headline}}{{end}} <span style="color:#5f6368;">({{.Count}} change{{if gt .Count 1}}s{{end}})</span></li>
{{- end}}
</ul>
{{- end}}
{{- if .MoreArticles}}
<p style="margin:12px 0 0 0;font-size:14px;">and {{.MoreArticles}} more article{{if gt .MoreArticles 1}}s{{end}}.</p>
{{- end}}
</div>
{{- end}}
{{- if .Problems}}
<div style="background-color:#ffffff;border:1px solid #dadce0;border-radius:8px;padding:4px 20px 12px 20px;margin:12px 0 0 0;">
<h2 id="problems" style="margin:14px 0 12px 0;padding:0 0 6px 0;border-bottom:1px solid #dadce0;font-size:18px;">Sources with problems</h2>
<ul style="margin:0;padding:0 0 0 18px;font-size:14px;">
{{- range .Problems}}
<li style="margin:0 0 10px 0;">{{if .Link}}<a href="{{.Link}}" style="color:#1a0dab;">{{.Source}}</a>{{else}}{{.Source}} (not a web link){{end}}
{{- if .Feed}} <span style="color:#5f6368;">({{.Feed}})</span>{{end}}
{{- range .Lines}}<br>{{.What}}{{if .Since}} <span style="color:#5f6368;">{{.Since}}</span>{{end}}{{end}}</li>
{{- end}}
</ul>
</div>
{{- end}}
<p style="margin:16px 0 8px 0;font-size:12px;color:#5f6368;text-align:center;">Sent by stet, which watches your feeds for silent edits.
{{- if .BaseURL}} <a href="{{.BaseURL}}/" style="color:#5f6368;">All changes on the web view</a>{{end}}</p>
</div>
</body>
</html>
`))

// HTMLPieces are the pieces with a space between a deletion and the
// insertion that replaces it, so that they stay apart in a client that
// drops the styles too.
func (v changeView) HTMLPieces() []piece { return change.Spaced(v.Pieces) }

func renderHTML(d *doc) (string, error) {
	var b strings.Builder
	if err := htmlTmpl.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// overflowSentence says that a digest was capped and where the rest is.
func overflowSentence(o *overflow) string {
	s := "This digest reached its size limit (" + o.Cap + ", digest.max_bytes): " +
		plural(o.Changes, "more change", "more changes") + " in " + plural(o.Articles, "article", "articles") +
		" are counted below instead of shown."
	if o.BaseURL != "" {
		return s + " Each article's page on the web view has them all."
	}
	return s + " Run stet changes to see them (set http.base_url to get links to the web view here)."
}
