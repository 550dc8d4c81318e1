package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stet-news/stet/config"
)

func init() {
	register(&command{name: "demo", summary: "a one-minute offline demonstration: a local feed is edited, stet notices, the digest is printed",
		usage: "stet demo", example: "stet demo", run: cmdDemo})
}

// The demonstration article, before and after a silent edit: a quote is
// softened and a title corrected.
const (
	demoHeadline = "Harbour council approves ferry fare rise after heated meeting"
	demoBefore   = `Councillors in Port Averly voted 7-4 on Tuesday night to raise ferry fares by 12 per cent from January.

Maria Okafor, the council's finance chair, defended the rise. “We cannot keep the boats running on goodwill and good intentions,” Okafor said.

Fares have not risen since 2019. “The money has to come from somewhere,” she added.

Deputy Mayor Tom Reyes voted against the plan. “This is a tax on islanders who have no other way to get to work,” Reyes said.`
	demoAfter = `Councillors in Port Averly voted 7-4 on Tuesday night to raise ferry fares by 12 per cent from January.

Maria Okafor, the council's acting finance chair, defended the rise. “We cannot keep the boats running on goodwill alone,” Okafor said.

Fares have not risen since 2019. “The money has to come from somewhere,” she added.

Deputy Mayor Tom Reyes voted against the plan. “This is a tax on islanders who have no other way to get to work,” Reyes said.`
)

func demoFeed(body string) string {
	esc := func(s string) string { return html.EscapeString(s) }
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<rss version="2.0"><channel><title>Port Averly Gazette (demo)</title><link>http://gazette.example/</link><description>demo</description>`)
	b.WriteString(`<item><title>` + esc(demoHeadline) + `</title><link>http://gazette.example/ferry-fares</link><guid>gazette-ferry-fares</guid>`)
	var paras []string
	for _, p := range strings.Split(body, "\n\n") {
		paras = append(paras, "<p>"+p+"</p>")
	}
	b.WriteString(`<description>` + esc(strings.Join(paras, "")) + `</description></item></channel></rss>`)
	return b.String()
}

func cmdDemo(ctx context.Context, env *Env, args []string) error {
	c := commands["demo"]
	fs := newFlagSet(c, env)
	wait := fs.Duration("edit-after", 4*time.Second, "when the local article is edited")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "stet-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// A local publisher whose article is silently edited after a while.
	var edited atomic.Bool
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := demoBefore
		if edited.Load() {
			body = demoAfter
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, demoFeed(body))
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // closed below
	defer srv.Close()
	feedURL := "http://" + ln.Addr().String() + "/rss.xml"

	cfg := config.Default()
	cfg.Database = filepath.Join(dir, "stet.db")
	cfg.Feeds = []config.Feed{{URL: feedURL, Name: "Port Averly Gazette (demo)", Schedule: "@every 1s"}}
	cfg.Digest.Dir = filepath.Join(dir, "digests")
	cfg.Digest.From = "stet@localhost"
	cfg.Digest.To = nil
	cfg.Fetch.Allow = []string{"127.0.0.1"} // the demo's own feed server
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app, err := newApp(ctx, env, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()

	say := func(format string, args ...any) { fmt.Fprintf(env.Stderr, "demo: "+format+"\n", args...) }
	say("a local publisher serves %s; stet's database is in %s", feedURL, dir)
	if _, err := app.pipe.Pass(ctx, true); err != nil {
		return err
	}
	say("first pass: the article is stored as revision 1")
	say("in %s the publisher softens a quote and corrects a title, without telling anyone", *wait)
	select {
	case <-time.After(*wait):
	case <-ctx.Done():
		return ctx.Err()
	}
	edited.Store(true)
	deadline := time.Now().Add(45 * time.Second)
	for {
		st, err := app.pipe.Pass(ctx, true)
		if err != nil {
			return err
		}
		if st.Revisions > 0 {
			say("stet fetched the feed again, stored revision 2 and recorded %d change(s)", st.Changes)
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("demo: the edit was not noticed")
		}
		time.Sleep(time.Second)
	}
	msg, err := app.PreviewDigest(ctx)
	if err != nil {
		return err
	}
	say("the digest stet would mail, its plain-text part (stet digest --preview prints the whole message):\n")
	text, err := textPart(msg.Bytes)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Subject: %s\n\n%s", msg.Subject, text)
	return nil
}

// textPart returns the decoded text/plain part of a MIME message.
func textPart(raw []byte) (string, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable itself
		if err != nil {
			return "", fmt.Errorf("no text part: %w", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p)
			return string(b), err
		}
	}
}
