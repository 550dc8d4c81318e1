package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/digest"
	"github.com/stet-news/stet/store"
)

// One address refused for good (550 to RCPT TO) does not stop the digest:
// the others get it, the refusal is logged, counted in /metrics and shown
// by `stet status`, and that address is not tried again.
func TestDigestOneRefusedRecipient(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	sink.refuse = map[string]int{"gone@example.org": 550}
	te := newTestEnv()
	app := smtpApp(t, te, sink, srv.URL, "")
	var logs bytes.Buffer
	app.log = slog.New(slog.NewTextHandler(&logs, nil))
	app.cfg.Digest.To = []string{"editor@example.org", "Gone <gone@example.org>", "desk@example.org"}
	editedFeed(t, app, srv, te)

	if n, err := app.SendDigest(ctx, false); err != nil || n != 1 {
		t.Fatalf("send: %d %v, want 1 digest sent", n, err)
	}
	sink.mu.Lock()
	got := sink.rcpts
	sink.mu.Unlock()
	if len(got) != 1 || !slices.Equal(got[0], []string{"editor@example.org", "desk@example.org"}) {
		t.Fatalf("delivered to %v, want editor and desk once", got)
	}
	if !strings.Contains(logs.String(), "gone@example.org") || !strings.Contains(logs.String(), "550") {
		t.Errorf("the refusal is not logged: %s", logs.String())
	}
	var m bytes.Buffer
	app.metrics.WriteTo(&m)
	if !strings.Contains(m.String(), "stet_digest_recipients_refused_total 1\n") {
		t.Errorf("metrics do not count the refusal:\n%s", m.String())
	}
	cfgPath := writeConfig(t, t.TempDir(), "database: "+app.cfg.Database+"\n")
	code, out, errOut := runStet(t, "status", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "gone@example.org refused permanently") || !strings.Contains(out, "550") {
		t.Errorf("stet status (exit %d, %s) does not show the refusal:\n%s", code, errOut, out)
	}
	// Nothing is left to send, and the refused address is not tried again.
	if open, _ := app.store.OpenDigests(ctx); len(open) != 0 {
		t.Errorf("digests still open: %+v", open)
	}
}

// When every recipient is refused nothing is marked sent: the digest is
// retried, and the digests built meanwhile queue behind it, in order.
func TestDigestAllRefusedIsRetriedAndLaterOnesQueue(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	sink.refuse = map[string]int{"editor@example.org": 550}
	te := newTestEnv()
	app := smtpApp(t, te, sink, srv.URL, "")
	editedFeed(t, app, srv, te)

	if _, err := app.SendDigest(ctx, false); !errors.Is(err, digest.ErrAllRefused) {
		t.Fatalf("send with the only recipient refused: got %v, want ErrAllRefused", err)
	}
	// A later edit makes a second digest, queued behind the first.
	te.advance(time.Hour)
	srv.Set(rssFeed([3]string{"marsh-grain", headline + " as talks stall", seedTitleCorrected(body)}))
	if st, err := app.pipe.Pass(ctx, true); err != nil || st.Changes == 0 {
		t.Fatalf("second edit: %+v %v", st, err)
	}
	if _, err := app.SendDigest(ctx, false); err == nil {
		t.Fatal("the queue went out with the recipient still refused")
	}
	open, err := app.store.OpenDigests(ctx)
	if err != nil || len(open) != 2 {
		t.Fatalf("open digests: %d %v, want 2 (the later one queued, not dropped)", len(open), err)
	}
	if len(sink.messages()) != 0 {
		t.Fatal("something was sent")
	}
	// The server takes the address again: both go out, oldest first.
	sink.mu.Lock()
	sink.refuse = nil
	sink.mu.Unlock()
	te.advance(2 * time.Hour)
	if err := app.retryDigest(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := sink.messages()
	if len(msgs) != 2 {
		t.Fatalf("after the retry: %d messages, want 2", len(msgs))
	}
	_, id1, _, _ := mailParts(t, msgs[0])
	_, id2, _, _ := mailParts(t, msgs[1])
	if id1 != open[0].MessageID || id2 != open[1].MessageID {
		t.Errorf("sent %s then %s, want %s then %s", id1, id2, open[0].MessageID, open[1].MessageID)
	}
	if unsent, _ := app.store.Changes(ctx, store.ChangeFilter{Unsent: true}); len(unsent) != 0 {
		t.Errorf("%d changes never sent", len(unsent))
	}
}

// At-least-once, with the window shrunk: the moment before DATA is
// recorded, so a stet restarted while a digest may have gone out waits
// smtp.timeout before sending it again, and then sends the same message
// (same Message-ID, so mail clients fold the two).
func TestDigestRestartDuringDataWaitsTheTimeout(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	hold, held := make(chan struct{}), make(chan struct{})
	sink.hold, sink.held = hold, held
	te := newTestEnv()
	app := smtpApp(t, te, sink, srv.URL, "")
	app.cfg.SMTP.Timeout = 5_000_000_000 // 5s
	editedFeed(t, app, srv, te)

	first := make(chan error, 1)
	go func() { _, err := app.SendDigest(ctx, false); first <- err }()
	<-held // the server has the message; its answer has not come

	// "Restart": another stet on the same database, its clock at the same time.
	te2 := newTestEnv()
	te2.now = te.now
	cfg2 := app.cfg
	app2 := newTestApp(t, te2, cfg2)
	if _, err := app2.SendDigest(ctx, false); !errors.Is(err, digest.ErrInFlight) {
		t.Fatalf("resend within smtp.timeout: got %v, want ErrInFlight", err)
	}
	if n := len(sink.messages()); n != 1 {
		t.Fatalf("%d messages, want 1: sent again within smtp.timeout", n)
	}
	te2.advance(6 * time.Second)
	if n, err := app2.SendDigest(ctx, false); err != nil || n != 1 {
		t.Fatalf("resend after smtp.timeout: %d %v", n, err)
	}
	close(hold)
	if err := <-first; err != nil {
		t.Logf("first send: %v", err)
	}
	msgs := sink.messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the digest twice", len(msgs))
	}
	_, id1, _, _ := mailParts(t, msgs[0])
	_, id2, _, _ := mailParts(t, msgs[1])
	if id1 != id2 {
		t.Errorf("the resent digest has Message-ID %s, the first %s", id2, id1)
	}
	if open, _ := app.store.OpenDigests(ctx); len(open) != 0 {
		t.Errorf("still open: %+v", open)
	}
}
