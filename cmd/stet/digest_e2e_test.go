package main

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/digest"
	"github.com/stet-news/stet/store"
)

// mailParts parses a message and returns its subject, Message-ID and the
// decoded text and HTML parts.
func mailParts(t *testing.T, raw []byte) (subject, msgID, text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail: %v", err)
	}
	dec := new(mime.WordDecoder)
	subject, _ = dec.DecodeHeader(m.Header.Get("Subject"))
	msgID = m.Header.Get("Message-ID")
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v), want multipart/alternative", mt, err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch pt {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	return subject, msgID, text, html
}

// smtpApp is an app whose digest goes to the sink.
func smtpApp(t *testing.T, te *testEnv, sink *smtpSink, feedURL, db string) *App {
	t.Helper()
	cfg := testConfig(t, feedURL)
	if db != "" {
		cfg.Database = db
	}
	host, port, _ := net.SplitHostPort(sink.addr)
	cfg.SMTP.Host = host
	cfg.SMTP.Port, _ = strconv.Atoi(port)
	cfg.SMTP.TLS = "none"
	cfg.Digest.To = []string{"editor@example.org"}
	cfg.Digest.Dir = ""
	return newTestApp(t, te, cfg)
}

// editedFeed runs two passes over the seed article, the second after a
// title correction and a quote edit, and returns how many changes were found.
func editedFeed(t *testing.T, app *App, srv *feedServer, te *testEnv) int {
	t.Helper()
	ctx := context.Background()
	headline, body := seedArticle(t)
	if _, err := app.pipe.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	te.advance(time.Hour)
	edited := seedTitleCorrected(body)
	edited = strings.Replace(edited, "But the request has to come from Valdoria", "But Valdoria must ask us formally", 1)
	srv.Set(rssFeed([3]string{"marsh-grain", headline, edited}))
	st, err := app.pipe.Pass(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.Changes == 0 {
		t.Fatal("the edit produced no change")
	}
	return st.Changes
}

func TestDigestOverSMTPOnceAcrossRestart(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	te := newTestEnv()
	app := smtpApp(t, te, sink, srv.URL, "")
	n := editedFeed(t, app, srv, te)

	if _, err := app.SendDigest(ctx, false); err != nil {
		t.Fatal(err)
	}
	msgs := sink.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	subject, msgID, text, html := mailParts(t, msgs[0])
	want := "stet: " + strconv.Itoa(n) + " change"
	if !strings.HasPrefix(subject, want) || !strings.Contains(subject, "in 1 article") || !strings.Contains(subject, "2026-11-24") {
		t.Errorf("subject %q, want it to start %q and name 1 article and the date", subject, want)
	}
	if msgID == "" {
		t.Error("no Message-ID")
	}
	for name, part := range map[string]string{"text": text, "html": html} {
		if !strings.Contains(part, "Minister of Trade") || !strings.Contains(part, "formally") {
			t.Errorf("%s part lacks the title and quote edits:\n%s", name, part)
		}
		if !strings.Contains(part, headline) && !strings.Contains(part, strings.ReplaceAll(headline, " ", "&#32;")) {
			t.Errorf("%s part lacks the headline", name)
		}
	}

	// A restart sends nothing again.
	db := app.cfg.Database
	app.Close()
	app2 := smtpApp(t, te, sink, srv.URL, db)
	if _, err := app2.SendDigest(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got := len(sink.messages()); got != 1 {
		t.Fatalf("after restart: %d messages, want still 1", got)
	}
}

func TestDigestRefusedIsRetriedOnce(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	sink.failOn = 1
	te := newTestEnv()
	app := smtpApp(t, te, sink, srv.URL, "")
	n := editedFeed(t, app, srv, te)

	if _, err := app.SendDigest(ctx, false); err == nil {
		t.Fatal("send to a refusing server: no error")
	}
	unsent, err := app.store.Changes(ctx, store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range unsent {
		if c.DigestID != 0 {
			open, _ := app.store.OpenDigest(ctx)
			if open == nil || open.ID != c.DigestID {
				t.Fatalf("change %d is in digest %d which is not open: marked sent after a refusal", c.ID, c.DigestID)
			}
		}
	}
	// Not yet due: nothing is tried.
	if err := app.retryDigest(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sink.messages()) != 0 {
		t.Fatal("retried before the backoff")
	}
	te.advance(2 * time.Minute)
	if err := app.retryDigest(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := sink.messages()
	if len(msgs) != 1 {
		t.Fatalf("after retry: %d messages, want 1", len(msgs))
	}
	subject, _, _, _ := mailParts(t, msgs[0])
	if !strings.HasPrefix(subject, "stet: "+strconv.Itoa(n)+" change") {
		t.Errorf("subject %q does not count %d changes", subject, n)
	}
	if _, err := app.SendDigest(ctx, false); err != nil {
		t.Fatal(err)
	}
	if len(sink.messages()) != 1 {
		t.Fatal("a change was mailed twice")
	}
}

// A crash after the server accepted a digest but before it was marked sent
// must not produce a second, different digest: the same message (same
// Message-ID, same changes) goes out again.
func TestDigestCrashBetweenAcceptAndMark(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	te := newTestEnv()
	app := smtpApp(t, te, sink, srv.URL, "")
	editedFeed(t, app, srv, te)

	// What SendDigest does, stopped before DigestSent: record the digest,
	// hand it to the server.
	ds := digestStore{app.store}
	changes, _, err := ds.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range changes {
		ids = append(ids, c.ID)
	}
	if _, err := ds.Create(ctx, "<crash-test@example.org>", te.now, ids, nil); err != nil {
		t.Fatal(err)
	}
	msg, err := app.PreviewDigest(ctx) // the recorded digest, rebuilt
	if err != nil {
		t.Fatal(err)
	}
	s := app.cfg.SMTP
	if err := digest.Send(ctx, digest.SMTPConfig{Host: s.Host, Port: s.Port, TLS: s.TLS}, app.cfg.Digest.From, app.cfg.Digest.To, msg); err != nil {
		t.Fatal(err)
	}
	// "Crash": a new process sends what is pending.
	if _, err := app.SendDigest(ctx, false); err != nil {
		t.Fatal(err)
	}
	msgs := sink.messages()
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want the one digest twice", len(msgs))
	}
	s1, id1, t1, _ := mailParts(t, msgs[0])
	s2, id2, t2, _ := mailParts(t, msgs[1])
	if id1 != id2 || s1 != s2 || t1 != t2 {
		t.Errorf("the resent digest differs: %q %q / %q %q", id1, s1, id2, s2)
	}
}
