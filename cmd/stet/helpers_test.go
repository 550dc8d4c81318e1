package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/stet-news/stet/config"
)

// feedServer serves feed bytes that a test can change, with ETags, and
// counts what it was asked.
type feedServer struct {
	*httptest.Server
	mu          sync.Mutex
	body        []byte
	contentType string
	requests    int
	notModified int
}

func newFeedServer(t *testing.T, body string) *feedServer {
	t.Helper()
	fs := &feedServer{body: []byte(body), contentType: "application/rss+xml; charset=utf-8"}
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

func (fs *feedServer) set(body string) {
	fs.mu.Lock()
	fs.body = []byte(body)
	fs.mu.Unlock()
}

func (fs *feedServer) counts() (requests, notModified int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.requests, fs.notModified
}

// testConfig is a configuration for tests: a database in a temporary
// folder, loopback allowed, digests written to a folder.
func testConfig(t *testing.T, feedURLs ...string) config.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Database = filepath.Join(dir, "stet.db")
	cfg.Digest.Dir = filepath.Join(dir, "digests")
	cfg.Digest.From = "stet@example.org"
	cfg.Fetch.Allow = []string{"127.0.0.0/8", "::1"}
	for _, u := range feedURLs {
		cfg.Feeds = append(cfg.Feeds, config.Feed{URL: u})
	}
	return cfg
}

// testEnv captures output and has a clock the test moves.
type testEnv struct {
	*Env
	stdout, stderr *bytes.Buffer
	mu             sync.Mutex
	now            time.Time
}

func newTestEnv() *testEnv {
	te := &testEnv{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, now: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)}
	te.Env = &Env{Stdin: strings.NewReader(""), Stdout: te.stdout, Stderr: te.stderr, Getenv: func(k string) string { return "" },
		Now: func() time.Time { te.mu.Lock(); defer te.mu.Unlock(); return te.now }}
	return te
}

func (te *testEnv) advance(d time.Duration) {
	te.mu.Lock()
	te.now = te.now.Add(d)
	te.mu.Unlock()
}

func newTestApp(t *testing.T, te *testEnv, cfg config.Config) *App {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	app, err := newApp(context.Background(), te.Env, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}

// rssFeed builds an RSS 2.0 document with one item per (guid, title, body).
func rssFeed(items ...[3]string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test Gazette</title><link>http://gazette.test/</link><description>t</description>`)
	for _, it := range items {
		var paras []string
		for _, p := range strings.Split(it[2], "\n\n") {
			paras = append(paras, "<p>"+p+"</p>")
		}
		b.WriteString("<item><title>" + xmlEscape(it[1]) + "</title><link>http://gazette.test/" + it[0] + "</link><guid>" + it[0] + "</guid><description>" +
			xmlEscape(strings.Join(paras, "")) + "</description></item>")
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xmlEscapeTo(&b, s)
	return b.String()
}

func xmlEscapeTo(w *bytes.Buffer, s string) error {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	_, err := r.WriteString(w, s)
	return err
}

// smtpSink is a real SMTP server on loopback that keeps what it accepts.
type smtpSink struct {
	addr   string
	mu     sync.Mutex
	msgs   [][]byte
	rcpts  [][]string     // the envelope recipients of each message kept
	failOn int            // refuse DATA while > 0, counting down
	refuse map[string]int // RCPT TO answers by address (550: permanent, 450: for now)
	hold   chan struct{}  // when set, DATA keeps the message, then answers only once this is closed
	held   chan struct{}  // closed when a held message has been kept
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s  *smtpSink
	to []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	code := ss.s.refuse[to]
	ss.s.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: "no such user here"}
	}
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	if ss.s.failOn > 0 {
		ss.s.failOn--
		ss.s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.s.msgs = append(ss.s.msgs, b)
	ss.s.rcpts = append(ss.s.rcpts, ss.to)
	hold, held := ss.s.hold, ss.s.held
	ss.s.hold = nil
	ss.s.mu.Unlock()
	if hold != nil { // kept, but the answer comes late
		close(held)
		<-hold
	}
	return nil
}

func (s *smtpSink) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.msgs...)
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.addr = ln.Addr().String()
	go srv.Serve(ln) //nolint:errcheck // closed in cleanup
	t.Cleanup(func() { srv.Close() })
	return sink
}
