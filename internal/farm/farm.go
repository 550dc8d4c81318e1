// Package farm serves a farm of generated news feeds on loopback: F feeds
// of I articles each, generated from a seed (full text in the feed, so one
// response per feed), with strong ETags, edits that stet should report
// (edit.go), and optionally a hold on every response and a log of every
// request. stet-bench measures stet against it; cmd/stet's cluster test
// runs several workers against it.
package farm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// feedDoc is one feed as the farm serves it now.
type feedDoc struct {
	body  []byte
	etag  string // strong: a quoted hash of body
	ctype string
}

// Farm is a set of F feeds of I items each, served on loopback. All
// articles are generated from the seed; edits are recorded so an article
// can be generated again in its current version.
type Farm struct {
	Seed uint64
	F, I int

	mu     sync.RWMutex
	docs   []feedDoc
	edits  map[[2]int][]editRec
	rounds int
	raw    int64 // bytes of text over every version of every article
	revs   int64 // versions of articles served

	base string
	srv  *http.Server

	// Hold delays every response by this long (set before Start): a
	// publisher's latency, so that waiting on the network bounds a pass.
	Hold time.Duration
	// KeepLog keeps every request to a feed in the log (set before Start).
	KeepLog bool

	logMu sync.Mutex
	log   []Request

	Served200, Served304, Served404 atomic.Int64
}

// Request is one request for a feed as the farm received it.
type Request struct {
	At        time.Time // when it arrived
	Feed      int
	UserAgent string
	Status    int // 200 or 304; InFlight while held; Abandoned when the client left before the answer
}

// Request.Status of a request not answered.
const (
	InFlight  = 0
	Abandoned = -1
)

// Log returns the requests for feeds so far (with KeepLog), in order of
// arrival.
func (fm *Farm) Log() []Request {
	fm.logMu.Lock()
	defer fm.logMu.Unlock()
	return append([]Request(nil), fm.log...)
}

// New generates and renders every feed.
func New(seed uint64, F, I int) *Farm {
	fm := &Farm{Seed: seed, F: F, I: I, docs: make([]feedDoc, F), edits: map[[2]int][]editRec{}}
	var raw atomic.Int64
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				f := int(next.Add(1) - 1)
				if f >= F {
					return
				}
				arts := make([]*Article, I)
				for i := range I {
					arts[i] = Generate(seed, f, i)
					raw.Add(int64(arts[i].RawSize()))
				}
				fm.docs[f] = renderFeed(seed, f, arts)
			}
		}()
	}
	wg.Wait()
	fm.raw = raw.Load()
	fm.revs = int64(F * I)
	return fm
}

// Article returns item i of feed f in its current version.
func (fm *Farm) Article(f, i int) (*Article, error) {
	fm.mu.RLock()
	recs := fm.edits[[2]int{f, i}]
	fm.mu.RUnlock()
	a := Generate(fm.Seed, f, i)
	for _, e := range recs {
		if _, err := a.ApplyEdit(e.Kind, rand.New(rand.NewPCG(e.Seed, 0xed17))); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// RawPerRevision is the mean size of an article version's text.
func (fm *Farm) RawPerRevision() float64 {
	fm.mu.RLock()
	defer fm.mu.RUnlock()
	return float64(fm.raw) / float64(fm.revs)
}

// Versions is the number of article versions the farm has published.
func (fm *Farm) Versions() int64 {
	fm.mu.RLock()
	defer fm.mu.RUnlock()
	return fm.revs
}

// Edit edits round(share × F × I) articles not edited before, the kinds in
// turn (quote, title, text), and returns the edits with the changes stet
// should report. Only the edited feeds change (and their ETags).
func (fm *Farm) Edit(share float64) ([]Edit, error) {
	fm.mu.Lock()
	fm.rounds++
	round := fm.rounds
	fm.mu.Unlock()
	total := fm.F * fm.I
	n := int(math.Round(share * float64(total)))
	n = max(0, min(n, total))
	r := rand.New(rand.NewPCG(fm.Seed, 0xed170000+uint64(round)))
	// Distinct articles not edited before: a partial Fisher–Yates shuffle.
	idx := make([]int, total)
	for i := range idx {
		idx[i] = i
	}
	var edits []Edit
	touched := map[int][]int{}
	for k := 0; k < total && len(edits) < n; k++ {
		j := k + r.IntN(total-k)
		idx[k], idx[j] = idx[j], idx[k]
		f, i := idx[k]/fm.I, idx[k]%fm.I
		fm.mu.RLock()
		done := len(fm.edits[[2]int{f, i}]) > 0
		fm.mu.RUnlock()
		if done {
			continue
		}
		a, err := fm.Article(f, i)
		if err != nil {
			return nil, err
		}
		kind := EditKinds[len(edits)%len(EditKinds)]
		rec := editRec{Kind: kind, Seed: r.Uint64()}
		exp, err := a.ApplyEdit(kind, rand.New(rand.NewPCG(rec.Seed, 0xed17)))
		if err != nil {
			return nil, err
		}
		fm.mu.Lock()
		fm.edits[[2]int{f, i}] = append(fm.edits[[2]int{f, i}], rec)
		fm.raw += int64(a.RawSize())
		fm.revs++
		fm.mu.Unlock()
		edits = append(edits, Edit{Feed: f, Item: i, Link: a.Link, Kind: kind, Expect: exp})
		touched[f] = append(touched[f], i)
	}
	feedsTouched := make([]int, 0, len(touched))
	for f := range touched {
		feedsTouched = append(feedsTouched, f)
	}
	sort.Ints(feedsTouched)
	for _, f := range feedsTouched {
		arts := make([]*Article, fm.I)
		for i := range fm.I {
			a, err := fm.Article(f, i)
			if err != nil {
				return nil, err
			}
			arts[i] = a
		}
		doc := renderFeed(fm.Seed, f, arts)
		fm.mu.Lock()
		fm.docs[f] = doc
		fm.mu.Unlock()
	}
	return edits, nil
}

// ETag returns feed f's current ETag.
func (fm *Farm) ETag(f int) string {
	fm.mu.RLock()
	defer fm.mu.RUnlock()
	return fm.docs[f].etag
}

// Start serves the farm on 127.0.0.1 until ctx ends or lifetime passes,
// whichever is first.
func (fm *Farm) Start(ctx context.Context, lifetime time.Duration) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("farm: listen: %w", err)
	}
	fm.base = "http://" + ln.Addr().String()
	fm.srv = &http.Server{
		Handler:           fm,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
	go fm.srv.Serve(ln) //nolint:errcheck // ErrServerClosed on Close
	go func() {
		t := time.NewTimer(lifetime)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		fm.srv.Close()
	}()
	return nil
}

// Close stops the server.
func (fm *Farm) Close() {
	if fm.srv != nil {
		fm.srv.Close()
	}
}

// URL is the address of feed f.
func (fm *Farm) URL(f int) string { return fm.base + "/feed/" + strconv.Itoa(f) + ".xml" }

// ServeHTTP serves /feed/N.xml with a strong ETag and answers 304 when
// If-None-Match names it.
func (fm *Farm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/feed/")
	name, ok2 := strings.CutSuffix(name, ".xml")
	f, err := strconv.Atoi(name)
	if !ok || !ok2 || err != nil || f < 0 || f >= fm.F || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		fm.Served404.Add(1)
		http.NotFound(w, r)
		return
	}
	// The request is logged when it arrives, so that one in flight (held)
	// can be seen, and its answer filled in later.
	k := -1
	if fm.KeepLog {
		fm.logMu.Lock()
		k = len(fm.log)
		// The time is taken under the lock, so the log is in order of At.
		fm.log = append(fm.log, Request{At: time.Now(), Feed: f, UserAgent: r.UserAgent()})
		fm.logMu.Unlock()
	}
	answer := func(status int) {
		if k >= 0 {
			fm.logMu.Lock()
			fm.log[k].Status = status
			fm.logMu.Unlock()
		}
	}
	if fm.Hold > 0 {
		t := time.NewTimer(fm.Hold)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			answer(Abandoned)
			return
		}
	}
	fm.mu.RLock()
	doc := fm.docs[f]
	fm.mu.RUnlock()
	status := http.StatusOK
	if etagMatch(r.Header.Get("If-None-Match"), doc.etag) {
		status = http.StatusNotModified
	}
	answer(status)
	h := w.Header()
	h.Set("ETag", doc.etag)
	h.Set("Cache-Control", "max-age=60")
	if status == http.StatusNotModified {
		fm.Served304.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	fm.Served200.Add(1)
	h.Set("Content-Type", doc.ctype)
	h.Set("Content-Length", strconv.Itoa(len(doc.body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(doc.body) //nolint:errcheck // the client went away
}

// etagMatch implements If-None-Match's weak comparison for GET.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}

// feedIsAtom says whether feed f is Atom (two in five) or RSS 2.0.
func feedIsAtom(f int) bool { return f%5 == 1 || f%5 == 3 }

func xmlEsc(s string) string { return html.EscapeString(s) }

// articleHTML is the article body as the feed carries it: one <p> per
// paragraph.
func articleHTML(a *Article) string {
	var b strings.Builder
	for _, p := range a.Paragraphs() {
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(p))
		b.WriteString("</p>\n")
	}
	return b.String()
}

// renderFeed renders feed f with the given articles, newest first.
func renderFeed(seed uint64, f int, arts []*Article) feedDoc {
	var b strings.Builder
	title := xmlEsc(feedTitle(seed, f))
	site := fmt.Sprintf("https://news%d.example/", f)
	updated := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	var ctype string
	if feedIsAtom(f) {
		ctype = "application/atom+xml; charset=utf-8"
		fmt.Fprintf(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>%s</title>\n<id>%s</id>\n<link rel=\"alternate\" href=\"%s\"/>\n<updated>%s</updated>\n",
			title, site, site, updated.Format(time.RFC3339))
		for k := len(arts) - 1; k >= 0; k-- {
			a := arts[k]
			up := a.Published.Add(time.Duration(a.Version-1) * time.Hour)
			fmt.Fprintf(&b, "<entry>\n<title>%s</title>\n<id>%s</id>\n<link rel=\"alternate\" href=\"%s\"/>\n<published>%s</published>\n<updated>%s</updated>\n<author><name>Staff reporter</name></author>\n<content type=\"html\">%s</content>\n</entry>\n",
				xmlEsc(a.Headline), xmlEsc("tag:news"+strconv.Itoa(f)+".example,2026:"+a.GUID), xmlEsc(a.Link),
				a.Published.Format(time.RFC3339), up.Format(time.RFC3339), xmlEsc(articleHTML(a)))
		}
		b.WriteString("</feed>\n")
	} else {
		ctype = "application/rss+xml; charset=utf-8"
		fmt.Fprintf(&b, "<rss version=\"2.0\">\n<channel>\n<title>%s</title>\n<link>%s</link>\n<description>Local news from %s</description>\n<lastBuildDate>%s</lastBuildDate>\n",
			title, site, xmlEsc(feedPlace(seed, f)), updated.Format(time.RFC1123Z))
		for k := len(arts) - 1; k >= 0; k-- {
			a := arts[k]
			fmt.Fprintf(&b, "<item>\n<title>%s</title>\n<link>%s</link>\n<guid isPermaLink=\"false\">%s</guid>\n<pubDate>%s</pubDate>\n<description>%s</description>\n</item>\n",
				xmlEsc(a.Headline), xmlEsc(a.Link), xmlEsc(a.GUID), a.Published.Format(time.RFC1123Z), xmlEsc(articleHTML(a)))
		}
		b.WriteString("</channel>\n</rss>\n")
	}
	body := []byte(b.String())
	sum := sha256.Sum256(body)
	return feedDoc{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: ctype}
}
