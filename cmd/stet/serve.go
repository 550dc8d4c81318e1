package main

import (
	"context"
	"fmt"
	"net"

	"github.com/stet-news/stet/web"
)

// serveHTTP serves the web view, the Atom feed of changes, the JSON API,
// /healthz and /metrics on http.listen until ctx ends.
func (a *App) serveHTTP(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen %s: %w", a.cfg.HTTP.Listen, err)
	}
	names := map[string]string{}
	for _, f := range a.cfg.Feeds {
		if f.Name != "" {
			names[f.URL] = f.Name
		}
	}
	srv := web.New(a.store, web.Options{
		Token:     a.cfg.Token(a.env.Getenv),
		Now:       a.now,
		Log:       a.log,
		Metrics:   a.metrics,
		FeedNames: names,
		NextFetch: a.pipe.NextFetch,
		BaseURL:   a.cfg.BaseURL(),
		Hosts:     []string{a.cfg.HTTP.Listen, ln.Addr().String()},
	})
	a.log.Info("serving the web view", "listen", ln.Addr().String())
	return srv.Serve(ctx, ln)
}
