package feeds

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestFetchThenParse: real fixture bytes through a real server, gzip on
// the wire, the charset only in Content-Type, a permanent redirect; the
// relative links resolve against the final URL.
func TestFetchThenParse(t *testing.T) {
	cp1252, err := os.ReadFile("testdata/windows-1252-content-type.xml")
	if err != nil {
		t.Fatal(err)
	}
	relative, err := os.ReadFile("testdata/relative-links.xml")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/old/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new/feed.xml", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/new/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=windows-1252")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(compress(t, "gzip", cp1252))
	})
	mux.HandleFunc("/news/rss", func(w http.ResponseWriter, r *http.Request) {
		w.Write(relative)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := NewFetcher(Options{})

	res, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/old/feed.xml", Trusted: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.PermanentURL != srv.URL+"/new/feed.xml" {
		t.Errorf("PermanentURL: got %q", res.PermanentURL)
	}
	feed, err := ParseWith(res.Body, res.ContentType, res.URL, f.ParseOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := feed.Items[0].Title, "“It’s done,” she said – €5 million"; got != want {
		t.Errorf("title: got %q, want %q", got, want)
	}

	res, err = f.Fetch(context.Background(), Request{URL: srv.URL + "/news/rss", Trusted: true})
	if err != nil {
		t.Fatal(err)
	}
	feed, err = Parse(res.Body, res.ContentType, res.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := feed.Items[1].Link, srv.URL+"/news/2.html"; got != want {
		t.Errorf("relative link: got %q, want %q", got, want)
	}
}

func TestParseOddStarts(t *testing.T) {
	const doc = `<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Ünïcode</title><item><title>“Quoted”</title><guid>u</guid></item></channel></rss>`
	be := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	tests := []struct {
		name string
		body []byte
	}{
		{"utf-16be without BOM", be(doc)},
		// gofeed detects the format from the first 4 KB only.
		{"root after a 10 KB comment", []byte("<!--" + strings.Repeat("x", 10<<10) + "-->" + strings.Replace(doc, "utf-16", "utf-8", 1))},
		{"BOM after a comment", []byte("<!-- generated -->\ufeff" + strings.Replace(doc, "utf-16", "utf-8", 1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.body, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != "Ünïcode" || len(f.Items) != 1 || f.Items[0].Title != "“Quoted”" {
				t.Errorf("got %q %+v", f.Title, f.Items)
			}
		})
	}
}
