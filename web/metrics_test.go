package web

import (
	"bufio"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet-news/stet/metrics"
)

// promLine is one sample line of the text format.
var promLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+Inf]+$`)

// samples parses an exposition: name{labels} -> value, checking each line.
func samples(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			if typed[f[2]] {
				t.Errorf("TYPE of %s twice", f[2])
			}
			typed[f[2]] = true
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		if !promLine.MatchString(line) {
			t.Errorf("bad line %q", line)
			continue
		}
		if !strings.HasPrefix(line, "stet_") {
			t.Errorf("not prefixed stet_: %q", line)
		}
		i := strings.LastIndexByte(line, ' ')
		out[line[:i]] = line[i+1:]
	}
	return out
}

func TestMetrics(t *testing.T) {
	m := metrics.New()
	f := newFixture(t, Options{Metrics: m})
	m.Fetch(testFeed, 200, false, 300*time.Millisecond)
	m.Fetch(testFeed, 200, false, 2*time.Second)
	m.Fetch(`https://x.example/"odd"\feed`, 503, true, 70*time.Second)
	m.Fetch(testFeed, 0, true, 40*time.Millisecond)
	m.Revisions(5)
	m.Revisions(0)
	m.Changes(3)
	m.DigestSent(true)
	m.DigestSent(false)
	get(t, f.h, "/")
	get(t, f.h, "/nope")

	r := get(t, f.h, "/metrics")
	if r.code != 200 || r.hdr.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("got %d %q", r.code, r.hdr.Get("Content-Type"))
	}
	got := samples(t, r.body)
	for k, want := range map[string]string{
		`stet_fetches_total{feed="https://news.example/rss.xml",status="200"}`:    "2",
		`stet_fetches_total{feed="https://news.example/rss.xml",status="0"}`:      "1",
		`stet_fetches_total{feed="https://x.example/\"odd\"\\feed",status="503"}`: "1",
		`stet_fetch_errors_total{feed="https://news.example/rss.xml"}`:            "1",
		`stet_fetch_errors_total{feed="https://x.example/\"odd\"\\feed"}`:         "1",
		`stet_fetch_duration_seconds_bucket{le="0.05"}`:                           "1",
		`stet_fetch_duration_seconds_bucket{le="0.5"}`:                            "2",
		`stet_fetch_duration_seconds_bucket{le="2.5"}`:                            "3",
		`stet_fetch_duration_seconds_bucket{le="60"}`:                             "3",
		`stet_fetch_duration_seconds_bucket{le="+Inf"}`:                           "4",
		`stet_fetch_duration_seconds_sum`:                                         "72.34",
		`stet_fetch_duration_seconds_count`:                                       "4",
		`stet_revisions_stored_total`:                                             "5",
		`stet_changes_recorded_total`:                                             "3",
		`stet_digests_total{result="sent"}`:                                       "1",
		`stet_digests_total{result="failed"}`:                                     "1",
		`stet_http_requests_total{route="changes",code="200"}`:                    "1",
		`stet_http_requests_total{route="other",code="404"}`:                      "1",
		`stet_store_up`:        "1",
		`stet_store_articles`:  "1",
		`stet_store_revisions`: "2",
		`stet_store_changes`:   "3",
		`stet_feeds`:           "2",
		`stet_feeds_failing`:   "1",
		`stet_feeds_gone`:      "0",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	if v := got["stet_store_db_bytes"]; v == "" || v == "0" {
		t.Errorf("stet_store_db_bytes = %q", v)
	}
}

// TestMetricsConcurrent is for the race detector: counters written while
// scraped.
func TestMetricsConcurrent(t *testing.T) {
	m := metrics.New()
	f := newFixture(t, Options{Metrics: m})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				m.Fetch(fmt.Sprintf("https://f%d.example/", i%3), 200, j%5 == 0, time.Duration(j)*time.Millisecond)
				m.Revisions(1)
				m.Changes(2)
				m.DigestSent(j%2 == 0)
			}
		}()
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				get(t, f.h, "/metrics")
				get(t, f.h, "/api/changes")
			}
		}()
	}
	wg.Wait()
	got := samples(t, get(t, f.h, "/metrics").body)
	if got["stet_revisions_stored_total"] != "400" || got["stet_changes_recorded_total"] != "800" ||
		got["stet_fetch_duration_seconds_count"] != "400" || got[`stet_http_requests_total{route="metrics",code="200"}`] != "40" {
		t.Errorf("lost updates: %v", got)
	}
}

// TestHealthzFailsWhileWritesFail: /healthz answers 503 while the
// pipeline's last write to the store failed, and 200 again once one
// succeeds; /metrics counts the failures.
func TestHealthzFailsWhileWritesFail(t *testing.T) {
	m := metrics.New()
	f := newFixture(t, Options{Metrics: m})
	for _, tt := range []struct {
		write    error
		code     int
		failures string
	}{
		{nil, 200, "0"},
		{errors.New("database or disk is full"), 503, "1"},
		{errors.New("database or disk is full"), 503, "2"},
		{nil, 200, "2"},
	} {
		m.Write(tt.write)
		if r := get(t, f.h, "/healthz"); r.code != tt.code {
			t.Errorf("after write %v: /healthz %d, want %d", tt.write, r.code, tt.code)
		}
		got := samples(t, get(t, f.h, "/metrics").body)
		if got["stet_store_write_failures_total"] != tt.failures {
			t.Errorf("after write %v: stet_store_write_failures_total %q, want %q", tt.write, got["stet_store_write_failures_total"], tt.failures)
		}
	}
}
