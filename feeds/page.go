package feeds

// Page is the main content of an article page.
type Page struct {
	Headline  string // the first <h1>, else <title>
	Text      string // main text, paragraphs separated by a blank line
	Canonical string // rel=canonical or og:url, absolute; "" when none
}

// ExtractPage extracts the main text of an article page.
// TODO(diff owner): go-trafilatura based implementation.
func ExtractPage(htmlBytes []byte, pageURL string) (Page, error) {
	return Page{Text: HTMLToText(string(htmlBytes))}, nil
}
