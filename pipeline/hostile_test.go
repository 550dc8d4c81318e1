package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/internal/testpg"
)

// hostile is one misbehaving publisher.
type hostile struct {
	name    string
	handler http.HandlerFunc
	stored  bool // true when the feed is trimmed and stored rather than refused
}

func hostileServers(good string) []hostile {
	rssItem := func(guid, title, date string) string {
		return "<item><guid>" + guid + "</guid><title>" + title + "</title><link>http://h.test/" + guid + "</link><pubDate>" + date + "</pubDate><description>Some text.</description></item>"
	}
	rss := func(items string) string {
		return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>` + items + `</channel></rss>`
	}
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>`))
	zeros := make([]byte, 1<<20)
	for i := 0; i < 256; i++ { // 256 MiB expanded, about 256 KiB sent
		zw.Write(zeros)
	}
	zw.Close()
	var many strings.Builder
	for i := 0; i < 100000; i++ {
		many.WriteString(rssItem(fmt.Sprint("g", i), fmt.Sprint("Story ", i), "Mon, 24 Nov 2026 08:00:00 GMT"))
	}
	megaTitle := strings.Repeat("Long title words ", 70000)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><rss version="2.0"><channel><title>&lol9;</title>` + rssItem("a", "&lol9;", "") + `</channel></rss>`
	return []hostile{
		{name: "malformed XML (recovered up to the error)", stored: true, handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</titel></item></channel></rss>`)
		}},
		{name: "an HTML page", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>`)
		}},
		{name: "invalid UTF-8", stored: true, handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, rss(rssItem("u", "Caf\xe9 \xff\xfe owner", "")))
		}},
		{name: "a lying charset", stored: true, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml; charset=iso-8859-1")
			fmt.Fprint(w, rss(rssItem("c", "Café “quoted” — dash", "")))
		}},
		{name: "billion laughs (entities left unexpanded)", stored: true, handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, laughs) }},
		{name: "a 2 GB body", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>`))
			chunk := bytes.Repeat([]byte("x"), 1<<16)
			for i := 0; i < (2<<30)/len(chunk); i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}},
		{name: "a gzip bomb", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		}},
		{name: "one byte a second", handler: func(w http.ResponseWriter, r *http.Request) {
			for _, b := range []byte(rss(rssItem("slow", "slow", ""))) {
				if _, err := w.Write([]byte{b}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(time.Second):
				case <-r.Context().Done():
					return
				}
			}
		}},
		{name: "a server that never answers", handler: func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}},
		{name: "a redirect loop", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}},
		{name: "a redirect to file:", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "file:///etc/passwd", http.StatusMovedPermanently)
		}},
		{name: "100,000 items", stored: true, handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rss(many.String())) }},
		{name: "megabyte titles", stored: true, handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, rss(rssItem("m", megaTitle, "")))
		}},
		{name: "duplicated GUIDs", stored: true, handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, rss(rssItem("d", "First", "")+rssItem("d", "Second", "")+rssItem("d", "First", "")))
		}},
		{name: "dates in the far future and year 0", stored: true, handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, rss(rssItem("f", "Future", "Mon, 01 Jan 9999 00:00:00 GMT")+rssItem("z", "Zero", "Sat, 01 Jan 0000 00:00:00 GMT")))
		}},
	}
}

// TestHostileFeedsDoNotStopTheOthers points one pass at every kind of
// hostile or broken publisher at once, next to a good feed: each is refused
// or trimmed with a one-line error naming it, and the good feed is stored.
// It asserts outcomes only; the fetch bounds end the slow servers.
func TestHostileFeedsDoNotStopTheOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: waits for the fetch timeout")
	}
	hostileFeedsDoNotStopTheOthers(t, "")
}

// TestHostileFeedsDoNotStopTheOthersPostgres is the same on PostgreSQL.
func TestHostileFeedsDoNotStopTheOthersPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: waits for the fetch timeout")
	}
	hostileFeedsDoNotStopTheOthers(t, testpg.URL(t))
}

// hostileFeedsDoNotStopTheOthers runs the hostile pass on database (""
// means testConfig's SQLite file).
func hostileFeedsDoNotStopTheOthers(t *testing.T, database string) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	good := newFeedServer(t, rssFeed([3]string{"marsh", headline, body}))
	cfg := testConfig(t)
	if database != "" {
		cfg.Database = database
	}
	// Generous: the feeds that must be stored (100,000 items: megabytes to
	// read) get them on a loaded 2-core machine under -race too; the
	// trickling and silent servers are ended by these bounds, whatever the
	// load.
	cfg.Fetch.Timeout = config.Duration(20 * time.Second)
	cfg.Fetch.HeaderTimeout = config.Duration(5 * time.Second)
	cfg.Fetch.Workers = 4
	hs := hostileServers(good.URL)
	names := map[string]hostile{}
	for _, h := range hs {
		srv := httptest.NewServer(h.handler)
		t.Cleanup(srv.Close)
		cfg.Feeds = append(cfg.Feeds, config.Feed{URL: srv.URL + "/feed"})
		names[srv.URL+"/feed"] = h
	}
	cfg.Feeds = append(cfg.Feeds, config.Feed{URL: good.URL})
	tp := newTestPipeline(t, cfg, feeds.NewFetcher(feeds.Options{Allow: []string{"127.0.0.0/8", "::1"}, Timeout: time.Duration(cfg.Fetch.Timeout),
		HeaderTimeout: time.Duration(cfg.Fetch.HeaderTimeout), MaxBody: int64(cfg.Fetch.MaxBody), MaxItems: cfg.Fetch.MaxItems}))

	// Outcomes only: every feed below is judged by what was stored and
	// recorded. How long the pass takes depends on the machine's load and
	// belongs in a benchmark (the fetch timeout bounds it anyway).
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	if _, err := tp.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("pass over %d hostile feeds and one good one: %s; heap grew %d MiB (peak system memory %d MiB)",
		len(hs), took.Round(time.Millisecond), (int64(after.HeapInuse)-int64(before.HeapInuse))>>20, after.Sys>>20)

	for _, r := range statuses(t, tp.st) {
		if len(r.Name) > 0 {
			t.Errorf("unexpected name %q", r.Name)
		}
		if r.URL == good.URL {
			if r.LastError != "" || r.Revisions != 1 {
				t.Errorf("good feed: %+v", r)
			}
			continue
		}
		h := names[r.URL]
		switch {
		case h.stored && r.Articles == 0:
			t.Errorf("%s: nothing stored (error %q)", h.name, r.LastError)
		case !h.stored && r.LastError == "":
			t.Errorf("%s: no error recorded", h.name)
		case strings.Contains(r.LastError, "\n") || len(r.LastError) > 400:
			t.Errorf("%s: error is not one short line: %q", h.name, r.LastError)
		case !h.stored && !strings.Contains(r.LastError, strings.TrimSuffix(r.URL, "/feed")):
			t.Errorf("%s: error does not name the feed: %q", h.name, r.LastError)
		}
		t.Logf("%-36s articles=%-4d %s", h.name, r.Articles, r.LastError)
	}
}
