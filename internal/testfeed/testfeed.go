// Package testfeed is for tests: a feed server whose document a test
// changes, RSS built from items, and the seed article of the repository.
package testfeed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Server serves feed bytes that a test can change, with ETags, and counts
// what it was asked.
type Server struct {
	*httptest.Server
	mu          sync.Mutex
	body        []byte
	contentType string
	requests    int
	notModified int
}

// NewServer serves body as RSS until the test ends.
func NewServer(t testing.TB, body string) *Server {
	t.Helper()
	fs := &Server{body: []byte(body), contentType: "application/rss+xml; charset=utf-8"}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.requests++
		sum := sha256.Sum256(fs.body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		if r.Header.Get("If-None-Match") == etag {
			fs.notModified++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", fs.contentType)
		w.Write(fs.body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// Set replaces the document served.
func (fs *Server) Set(body string) {
	fs.mu.Lock()
	fs.body = []byte(body)
	fs.mu.Unlock()
}

// SetContentType replaces the Content-Type served.
func (fs *Server) SetContentType(ct string) {
	fs.mu.Lock()
	fs.contentType = ct
	fs.mu.Unlock()
}

// Counts says how many requests came and how many got 304.
func (fs *Server) Counts() (requests, notModified int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.requests, fs.notModified
}

// RSS builds an RSS 2.0 document with one item per (guid, title, body),
// each paragraph of body (blank-line separated) a <p>.
func RSS(items ...[3]string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test Gazette</title><link>http://gazette.test/</link><description>t</description>`)
	for _, it := range items {
		var paras []string
		for _, p := range strings.Split(it[2], "\n\n") {
			paras = append(paras, "<p>"+p+"</p>")
		}
		b.WriteString("<item><title>" + XMLEscape(it[1]) + "</title><link>http://gazette.test/" + it[0] + "</link><guid>" + it[0] + "</guid><description>" +
			XMLEscape(strings.Join(paras, "")) + "</description></item>")
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// XMLEscape escapes text for an XML element or attribute.
func XMLEscape(s string) string { return xmlEscaper.Replace(s) }

// Seed returns the headline and body of the repository's own test article
// (testdata/article.txt beside this file): invented people, places and
// organisations, quotes attributed before and after, by name and by
// pronoun, and a senator whose title TitleCorrected changes. It is not the
// shared seed article, which the repository must not copy.
func Seed(t testing.TB) (headline, body string) {
	t.Helper()
	headline, body, _ = strings.Cut(strings.TrimSpace(string(SeedBytes(t))), "\n\n")
	return headline, body
}

// SeedBytes returns the file of Seed as it is on disk.
func SeedBytes(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(SeedPath())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// SeedPath is the path of the file of Seed, for tests that hand a file to
// a command.
func SeedPath() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "testdata", "article.txt")
}

// The title correction of TitleCorrected, for tests that assert on it.
const (
	SeedPerson        = "Elena Marsh"
	SeedTitleBefore   = "Senator from Kestrel Province"
	SeedTitleAfter    = "Norland Minister of Trade"
	seedTitleBeforeIn = "a " + SeedTitleBefore + " and"
	seedTitleAfterIn  = "the " + SeedTitleAfter + " and"
)

// TitleCorrected is the seed article's body after a correction of
// SeedPerson's title from SeedTitleBefore to SeedTitleAfter.
func TitleCorrected(body string) string {
	return strings.Replace(body, seedTitleBeforeIn, seedTitleAfterIn, 1)
}
