package feeds

import (
	"strings"

	"golang.org/x/net/html"
)

// HTMLToText reduces an HTML fragment (an item's content) to plain text:
// paragraphs separated by a blank line, whitespace folded.
// TODO(diff owner): block-aware implementation.
func HTMLToText(fragment string) string {
	if !strings.Contains(fragment, "<") && !strings.Contains(fragment, "&") {
		return strings.TrimSpace(fragment)
	}
	doc, err := html.Parse(strings.NewReader(fragment))
	if err != nil {
		return strings.TrimSpace(fragment)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && (n.Data == "p" || n.Data == "div" || n.Data == "br") {
			b.WriteString("\n\n")
		}
	}
	walk(doc)
	var paras []string
	for _, p := range strings.Split(b.String(), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			paras = append(paras, p)
		}
	}
	return strings.Join(paras, "\n\n")
}
