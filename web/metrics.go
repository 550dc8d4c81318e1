package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/stet-news/stet/metrics"
)

// storeTimeout bounds the store queries of one scrape.
const storeTimeout = 5 * time.Second

// metricsHandler writes the counters, then the store's gauges read now. A
// store that does not answer gives stet_store_up 0, not a failed scrape.
func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	s.metrics.WriteTo(&b)
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	up := 1
	st, err := s.st.Stats(ctx)
	if err != nil {
		up = 0
		s.log.Error("web: metrics: store stats", "err", err)
	}
	fs, ferr := s.st.FeedStatuses(ctx)
	if ferr != nil {
		up = 0
		s.log.Error("web: metrics: feed statuses", "err", ferr)
	}
	metrics.Head(&b, "stet_store_up", "gauge", "1 when the store answered this scrape.")
	fmt.Fprintf(&b, "stet_store_up %d\n", up)
	if err == nil {
		for _, g := range []struct {
			name, help string
			v          int64
		}{
			{"stet_store_articles", "Articles stored.", int64(st.Articles)},
			{"stet_store_revisions", "Revisions stored.", int64(st.Revisions)},
			{"stet_store_changes", "Changes recorded.", int64(st.Changes)},
			{"stet_store_db_bytes", "Size of the database file and its WAL.", st.DBBytes},
			{"stet_store_text_bytes", "Revision text, uncompressed.", st.TextBytes},
			{"stet_store_stored_bytes", "Revision text as stored.", st.StoredBytes},
		} {
			metrics.Head(&b, g.name, "gauge", g.help)
			fmt.Fprintf(&b, "%s %d\n", g.name, g.v)
		}
	}
	if ferr == nil {
		failing, gone := 0, 0
		for _, f := range fs {
			if f.Gone {
				gone++
			} else if f.LastError != "" {
				failing++
			}
		}
		metrics.Head(&b, "stet_feeds", "gauge", "Feeds watched.")
		fmt.Fprintf(&b, "stet_feeds %d\n", len(fs))
		metrics.Head(&b, "stet_feeds_failing", "gauge", "Feeds whose last fetch failed (gone feeds not counted).")
		fmt.Fprintf(&b, "stet_feeds_failing %d\n", failing)
		metrics.Head(&b, "stet_feeds_gone", "gauge", "Feeds that answered 410 Gone and are no longer fetched.")
		fmt.Fprintf(&b, "stet_feeds_gone %d\n", gone)
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	io.WriteString(w, b.String())
}
