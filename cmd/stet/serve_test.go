package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// `stet run` with http.listen serves the web view, the API and metrics
// from the daemon's own database.
func TestRunServesHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh", headline, body}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf("database: %s\nfetch: {allow_private: true}\nhttp: {listen: %q}\nfeeds:\n  - url: %s\n",
		filepath.Join(dir, "stet.db"), addr, srv.URL))
	cmd := stetCmd(context.Background(), "run", "--config", cfg, "--log-level", "error")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get("/api/feeds")
		var v struct {
			Feeds []struct {
				Revisions int `json:"revisions"`
			} `json:"feeds"`
		}
		if code == 200 && json.Unmarshal([]byte(body), &v) == nil && len(v.Feeds) == 1 && v.Feeds[0].Revisions == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/api/feeds never showed the stored feed: %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/metrics": "stet_fetches_total", "/changes.atom": "<feed", "/": "<html", "/api/changes": `"changes"`} {
		if code, body := get(path); code != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 200 with %q", path, code, want)
		}
	}
}

// The daemon notices an edit on its own schedule and mails the digest on
// the digest's schedule.
func TestRunMailsTheDigestOnSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	host, port, _ := net.SplitHostPort(sink.addr)
	dir := t.TempDir()
	db := filepath.Join(dir, "stet.db")
	cfg := writeConfig(t, dir, fmt.Sprintf(`database: %s
schedule: "@every 1s"
fetch: {allow_private: true}
digest: {schedule: "@every 2s", from: stet@example.org, to: [editor@example.org]}
smtp: {host: %s, port: %s, tls: none}
feeds:
  - url: %s
`, db, host, port, srv.URL))
	cmd := stetCmd(context.Background(), "run", "--config", cfg, "--log-level", "error")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	deadline := time.Now().Add(60 * time.Second)
	for storedArticles(db) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing stored")
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.Set(rssFeed([3]string{"marsh-grain", headline, seedTitleCorrected(body)}))
	for len(sink.messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no digest mailed within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
	subject, _, text, _ := mailParts(t, sink.messages()[0])
	if !strings.Contains(subject, "1 change in 1 article") || !strings.Contains(text, "Minister of Trade") {
		t.Fatalf("digest %q:\n%s", subject, text)
	}
	time.Sleep(3 * time.Second) // two more digest ticks: nothing new to say
	if n := len(sink.messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}
