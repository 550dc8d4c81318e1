// Package metrics holds the daemon's counters and its health: what the
// pipeline counts as it works (fetches, revisions, changes, digests, write
// failures, recovered panics) and the web server's requests, written in
// the Prometheus text format. The web server serves them on /metrics and
// /healthz; it does not own them.
package metrics

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Metrics are the daemon's counters, written on /metrics in the Prometheus
// text format (names prefixed stet_). Safe for concurrent use; the zero
// value is ready, and every method does nothing on a nil *Metrics.
type Metrics struct {
	mu          sync.Mutex
	fetches     map[fetchKey]uint64 // by feed and HTTP status
	fetchErrors map[string]uint64   // by feed
	fetchDur    histogram
	revisions   uint64
	changes     uint64
	digests     [2]uint64 // [0] failed, [1] sent
	refused     uint64    // digest recipients refused permanently
	requests    map[reqKey]uint64
	writeFails  uint64
	lastWrite   error             // the last store write's error; nil when it succeeded
	panics      map[string]uint64 // recovered panics, by feed
}

type fetchKey struct {
	feed   string
	status int
}

type reqKey struct {
	route string
	code  int
}

// fetchBuckets are the upper bounds (seconds) of the fetch duration
// histogram.
var fetchBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; len(fetchBuckets)+1 (the last: +Inf)
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(fetchBuckets)+1)
	}
	i := sort.SearchFloat64s(fetchBuckets, v) // first bound >= v
	h.counts[i]++
	h.sum += v
	h.n++
}

// New returns an empty set of counters.
func New() *Metrics { return &Metrics{} }

// Fetch counts one fetch of a feed (its configured URL): the HTTP status (0
// when no response came), whether it failed, and how long it took.
func (m *Metrics) Fetch(feed string, status int, failed bool, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fetches == nil {
		m.fetches = map[fetchKey]uint64{}
		m.fetchErrors = map[string]uint64{}
	}
	m.fetches[fetchKey{feed, status}]++
	if failed {
		m.fetchErrors[feed]++
	} else if _, ok := m.fetchErrors[feed]; !ok {
		m.fetchErrors[feed] = 0 // present from the first fetch, so rates work
	}
	m.fetchDur.observe(d.Seconds())
}

// Revisions counts n new revisions stored.
func (m *Metrics) Revisions(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.mu.Lock()
	m.revisions += uint64(n)
	m.mu.Unlock()
}

// Changes counts n new changes recorded.
func (m *Metrics) Changes(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.mu.Lock()
	m.changes += uint64(n)
	m.mu.Unlock()
}

// DigestSent counts one attempt to send the digest, accepted (ok) or not.
func (m *Metrics) DigestSent(ok bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	if ok {
		m.digests[1]++
	} else {
		m.digests[0]++
	}
	m.mu.Unlock()
}

// DigestRecipientRefused counts one recipient the mail server refused
// permanently (5xx to RCPT TO).
func (m *Metrics) DigestRecipientRefused() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.refused++
	m.mu.Unlock()
}

// Request counts one HTTP request answered with code on a route.
func (m *Metrics) Request(route string, code int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	if m.requests == nil {
		m.requests = map[reqKey]uint64{}
	}
	m.requests[reqKey{route, code}]++
	m.mu.Unlock()
}

// Write records the outcome of a write to the store: a failure is
// counted and makes the daemon unhealthy until a write succeeds again.
func (m *Metrics) Write(err error) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.lastWrite = err
	if err != nil {
		m.writeFails++
	}
	m.mu.Unlock()
}

// ErrUnhealthy is what Health wraps when the daemon cannot do its work.
var ErrUnhealthy = errors.New("metrics: unhealthy")

// Health is nil while the last write to the store succeeded (or none was
// made yet), and an error wrapping ErrUnhealthy and the write's error
// while it failed.
func (m *Metrics) Health() error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lastWrite != nil {
		return fmt.Errorf("%w: the last write to the database failed: %w", ErrUnhealthy, m.lastWrite)
	}
	return nil
}

// Panic counts a panic recovered while processing a feed.
func (m *Metrics) Panic(feed string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	if m.panics == nil {
		m.panics = map[string]uint64{}
	}
	m.panics[feed]++
	m.mu.Unlock()
}

// WriteTo writes the counters in the Prometheus text format (version 0.0.4).
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	if m != nil {
		m.mu.Lock()
		m.write(&b)
		m.mu.Unlock()
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Head writes the HELP and TYPE lines of a metric.
func Head(b *strings.Builder, name, typ, help string) { head(b, name, typ, help) }

func (m *Metrics) write(b *strings.Builder) {
	head(b, "stet_fetches_total", "counter", "Feed fetches, by feed and HTTP status (0: no response).")
	writeSorted(b, m.fetches, func(x, y fetchKey) bool {
		return x.feed < y.feed || x.feed == y.feed && x.status < y.status
	}, func(k fetchKey) string {
		return fmt.Sprintf("stet_fetches_total{feed=\"%s\",status=\"%d\"}", labelEscape(k.feed), k.status)
	})

	head(b, "stet_fetch_errors_total", "counter", "Failed feed fetches, by feed.")
	writeByFeed(b, "stet_fetch_errors_total", m.fetchErrors)

	head(b, "stet_fetch_duration_seconds", "histogram", "Duration of feed fetches.")
	var cum uint64
	for i, le := range fetchBuckets {
		if m.fetchDur.counts != nil {
			cum += m.fetchDur.counts[i]
		}
		fmt.Fprintf(b, "stet_fetch_duration_seconds_bucket{le=\"%s\"} %d\n", strconv.FormatFloat(le, 'g', -1, 64), cum)
	}
	fmt.Fprintf(b, "stet_fetch_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.fetchDur.n)
	fmt.Fprintf(b, "stet_fetch_duration_seconds_sum %s\n", strconv.FormatFloat(m.fetchDur.sum, 'g', -1, 64))
	fmt.Fprintf(b, "stet_fetch_duration_seconds_count %d\n", m.fetchDur.n)

	head(b, "stet_revisions_stored_total", "counter", "New revisions stored since start.")
	fmt.Fprintf(b, "stet_revisions_stored_total %d\n", m.revisions)
	head(b, "stet_changes_recorded_total", "counter", "Changes recorded since start.")
	fmt.Fprintf(b, "stet_changes_recorded_total %d\n", m.changes)

	head(b, "stet_digests_total", "counter", "Attempts to send the digest, by result.")
	fmt.Fprintf(b, "stet_digests_total{result=\"sent\"} %d\n", m.digests[1])
	fmt.Fprintf(b, "stet_digests_total{result=\"failed\"} %d\n", m.digests[0])
	head(b, "stet_digest_recipients_refused_total", "counter", "Digest recipients the mail server refused permanently (each is logged and shown by stet status).")
	fmt.Fprintf(b, "stet_digest_recipients_refused_total %d\n", m.refused)

	head(b, "stet_store_write_failures_total", "counter", "Writes to the database that failed (a full disk, a read-only file).")
	fmt.Fprintf(b, "stet_store_write_failures_total %d\n", m.writeFails)
	up := 1
	if m.lastWrite != nil {
		up = 0
	}
	head(b, "stet_store_last_write_ok", "gauge", "1 unless the last write to the database failed.")
	fmt.Fprintf(b, "stet_store_last_write_ok %d\n", up)

	head(b, "stet_panics_total", "counter", "Panics recovered while processing a feed, by feed; the feed stays scheduled.")
	writeByFeed(b, "stet_panics_total", m.panics)

	head(b, "stet_http_requests_total", "counter", "HTTP requests served, by route and status code.")
	writeSorted(b, m.requests, func(x, y reqKey) bool {
		return x.route < y.route || x.route == y.route && x.code < y.code
	}, func(k reqKey) string {
		return fmt.Sprintf("stet_http_requests_total{route=\"%s\",code=\"%d\"}", k.route, k.code)
	})
}

func head(b *strings.Builder, name, typ, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// writeSorted writes one sample per key of m, keys in the order of less, so
// that /metrics reads the same from one scrape to the next.
func writeSorted[K comparable](b *strings.Builder, m map[K]uint64, less func(x, y K) bool, name func(K) string) {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	for _, k := range keys {
		fmt.Fprintf(b, "%s %d\n", name(k), m[k])
	}
}

// writeByFeed writes a counter labelled by feed.
func writeByFeed(b *strings.Builder, metric string, m map[string]uint64) {
	writeSorted(b, m, func(x, y string) bool { return x < y }, func(f string) string {
		return metric + `{feed="` + labelEscape(f) + `"}`
	})
}

// labelEscape escapes a label value: backslash, double quote and newline.
func labelEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
