package main

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A user who edits an article page to try stet sees the change at once
// with stet once --recheck, not after the page's next planned check.
func TestOnceRecheckReadsPagesNow(t *testing.T) {
	headline, body := seedArticle(t)
	var mu sync.Mutex
	text := body
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/feed" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>Pages</title><link>http://%s/</link><item><title>%s</title><link>http://%s/story</link><guid>story</guid><description>short</description></item></channel></rss>`,
				r.Host, html.EscapeString(headline), r.Host)
			return
		}
		var b strings.Builder
		fmt.Fprintf(&b, "<html><head><title>%s</title></head><body><article><h1>%s</h1>", html.EscapeString(headline), html.EscapeString(headline))
		for _, p := range strings.Split(text, "\n\n") {
			fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(p))
		}
		b.WriteString("</article></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf("database: %s\nfetch:\n  allow: [127.0.0.0/8]\nfeeds:\n  - url: %s/feed\n    full_text: true\n",
		filepath.Join(dir, "stet.db"), srv.URL))
	if code, out, errOut := runStet(t, "once", "--config", cfg); code != 0 {
		t.Fatalf("first pass: %d %s %s", code, out, errOut)
	}
	mu.Lock()
	text = seedTitleCorrected(body)
	mu.Unlock()
	if code, out, errOut := runStet(t, "once", "--config", cfg); code != 0 {
		t.Fatalf("second pass: %d %s %s", code, out, errOut)
	}
	if _, out, _ := runStet(t, "changes", "--json", "--config", cfg); strings.TrimSpace(out) != "" {
		t.Fatalf("the page was read again before its planned time without --recheck: %s", out)
	}
	if code, out, errOut := runStet(t, "once", "--recheck", "--config", cfg); code != 0 {
		t.Fatalf("once --recheck: %d %s %s", code, out, errOut)
	}
	if _, out, _ := runStet(t, "changes", "--json", "--config", cfg); !strings.Contains(out, "title_") {
		t.Fatalf("once --recheck recorded no title change: %q", out)
	}
}
