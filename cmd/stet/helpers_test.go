package main

import (
	"github.com/stet-news/stet/internal/testfeed"

	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/stet-news/stet/config"
)

// The feed server, RSS and the seed article are shared with the
// pipeline's tests (internal/testfeed).
type feedServer = testfeed.Server

var (
	newFeedServer      = testfeed.NewServer
	rssFeed            = testfeed.RSS
	seedArticle        = testfeed.Seed
	seedTitleCorrected = testfeed.TitleCorrected
)

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
