package feeds

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// local returns Options for tests against httptest servers on loopback.
func local(o Options) Options {
	o.Allow = append(o.Allow, "127.0.0.0/8", "::1")
	return o
}

func checkOneLine(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.HasPrefix(msg, "feeds: fetch ") {
		t.Errorf("error %q does not start with \"feeds: fetch \"", msg)
	}
}

func TestFetchConditionalGET(t *testing.T) {
	modified := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var got []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("ETag", `"v2"`)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		// ServeContent implements RFC 9110: If-None-Match wins over If-Modified-Since.
		http.ServeContent(w, r, "feed.xml", modified, strings.NewReader("<rss></rss>"))
	}))
	defer srv.Close()
	f := NewFetcher(local(Options{}))
	ctx := context.Background()
	lastMod := modified.Format(http.TimeFormat)

	tests := []struct {
		name         string
		req          Request
		wantNotMod   bool
		wantINM      string
		wantIMS      string
		wantBody     string
		wantETag     string
		wantLastMod  string
		wantStatus   int
		wantCTprefix string
	}{
		{"first fetch", Request{}, false, "", "", "<rss></rss>", `"v2"`, lastMod, 200, "application/rss+xml"},
		{"same etag", Request{ETag: `"v2"`}, true, `"v2"`, "", "", `"v2"`, "", 304, ""},
		// The feed changed (new ETag) but Last-Modified did not: the ETag
		// wins and If-Modified-Since is not even sent.
		{"etag wins over last-modified", Request{ETag: `"v1"`, LastModified: lastMod}, false, `"v1"`, "", "<rss></rss>", `"v2"`, lastMod, 200, "application/rss+xml"},
		{"last-modified only", Request{LastModified: lastMod}, true, "", lastMod, "", `"v2"`, lastMod, 304, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			tt.req.URL = srv.URL + "/feed.xml"
			res, err := f.Fetch(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			h := got[0]
			mu.Unlock()
			if g := h.Get("If-None-Match"); g != tt.wantINM {
				t.Errorf("If-None-Match: got %q, want %q", g, tt.wantINM)
			}
			if g := h.Get("If-Modified-Since"); g != tt.wantIMS {
				t.Errorf("If-Modified-Since: got %q, want %q", g, tt.wantIMS)
			}
			if res.NotModified != tt.wantNotMod || res.Status != tt.wantStatus {
				t.Errorf("got NotModified %v status %d, want %v %d", res.NotModified, res.Status, tt.wantNotMod, tt.wantStatus)
			}
			if tt.wantNotMod && res.Body != nil {
				t.Errorf("304: got body %q, want nil", res.Body)
			}
			if string(res.Body) != tt.wantBody {
				t.Errorf("body: got %q, want %q", res.Body, tt.wantBody)
			}
			if res.ETag != tt.wantETag || res.LastModified != tt.wantLastMod {
				t.Errorf("validators: got %q %q, want %q %q", res.ETag, res.LastModified, tt.wantETag, tt.wantLastMod)
			}
			if !strings.HasPrefix(res.ContentType, tt.wantCTprefix) {
				t.Errorf("content type: got %q, want prefix %q", res.ContentType, tt.wantCTprefix)
			}
		})
	}
}

func TestFetchHeaders(t *testing.T) {
	var ua, ae atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		ae.Store(r.Header.Get("Accept-Encoding"))
	}))
	defer srv.Close()
	for _, tt := range []struct{ set, want string }{
		{"", DefaultUserAgent},
		{UserAgent("1.2.3"), "stet/1.2.3 (+https://github.com/stet-news/stet)"},
	} {
		f := NewFetcher(local(Options{UserAgent: tt.set}))
		if _, err := f.Fetch(context.Background(), Request{URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
		if got := ua.Load(); got != tt.want {
			t.Errorf("User-Agent: got %q, want %q", got, tt.want)
		}
		if got := ae.Load(); got != "gzip, deflate" {
			t.Errorf("Accept-Encoding: got %q, want %q", got, "gzip, deflate")
		}
	}
}

func compress(t testing.TB, enc string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "zlib":
		w = zlib.NewWriter(&buf)
	case "flate":
		w, _ = flate.NewWriter(&buf, flate.DefaultCompression)
	}
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestFetchCompressed(t *testing.T) {
	feed := []byte(strings.Repeat("<rss><channel><title>compressed</title></channel></rss>\n", 100))
	tests := []struct {
		name, header string
		body         []byte
	}{
		{"gzip", "gzip", compress(t, "gzip", feed)},
		{"x-gzip", "x-gzip", compress(t, "gzip", feed)},
		{"deflate as zlib", "deflate", compress(t, "zlib", feed)},
		{"deflate raw", "deflate", compress(t, "flate", feed)},
		{"gzip header over plain bytes", "gzip", feed},
		{"identity", "", feed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Content-Encoding", tt.header)
				}
				w.Write(tt.body)
			}))
			defer srv.Close()
			res, err := NewFetcher(local(Options{})).Fetch(context.Background(), Request{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(res.Body, feed) {
				t.Errorf("got %d bytes %.40q, want the %d-byte feed", len(res.Body), res.Body, len(feed))
			}
		})
	}
	t.Run("unsupported encoding", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "br")
			w.Write([]byte{1, 2, 3})
		}))
		defer srv.Close()
		_, err := NewFetcher(local(Options{})).Fetch(context.Background(), Request{URL: srv.URL})
		if err == nil || !strings.Contains(err.Error(), `unsupported Content-Encoding "br"`) {
			t.Errorf("got %v, want unsupported Content-Encoding", err)
		}
		checkOneLine(t, err)
	})
}

func TestFetchTooLarge(t *testing.T) {
	const max = 1000
	big := bytes.Repeat([]byte("x"), 5000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr bool
	}{
		{"content-length over the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.Write(big)
		}, true},
		{"chunked over the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Write(big[:2000])
			w.(http.Flusher).Flush()
			w.Write(big[2000:])
		}, true},
		{"gzip expanding over the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(compress(t, "gzip", big))
		}, true},
		{"exactly the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Write(big[:max])
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			res, err := NewFetcher(local(Options{MaxBody: max})).Fetch(context.Background(), Request{URL: srv.URL})
			if tt.wantErr {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("got %v, want ErrTooLarge", err)
				}
				checkOneLine(t, err)
				return
			}
			if err != nil || len(res.Body) != max {
				t.Fatalf("got %v, %d bytes; want %d bytes", err, len(res.Body), max)
			}
		})
	}
}

// TestFetchGzipBomb serves 1 GiB of zeros compressed to about 1 MB (1024
// gzip members of 1 MiB each): the fetch must stop at the cap without
// allocating the expanded size.
func TestFetchGzipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	bomb := bytes.Repeat(buf.Bytes(), 1024)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	defer srv.Close()

	const max = 4 << 20
	f := NewFetcher(local(Options{MaxBody: max}))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	checkOneLine(t, err)
	// Client and server together; the expanded size is 1 GiB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB for a %d MiB cap", alloc>>20, max>>20)
	}
	t.Logf("compressed %d KiB, cap %d MiB", len(bomb)>>10, max>>20)
}

func TestFetchTimeouts(t *testing.T) {
	t.Run("trickling body", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<"))
			w.(http.Flusher).Flush()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-r.Context().Done():
					return
				case <-tick.C:
					w.Write([]byte("x"))
					w.(http.Flusher).Flush()
				}
			}
		}))
		defer srv.Close()
		f := NewFetcher(local(Options{Timeout: 300 * time.Millisecond}))
		start := time.Now()
		_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want ErrTimeout", err)
		}
		checkOneLine(t, err)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %s for a 300ms timeout", d)
		}
	})
	t.Run("headers never come", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		defer srv.Close()
		f := NewFetcher(local(Options{HeaderTimeout: 200 * time.Millisecond}))
		_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want ErrTimeout", err)
		}
		checkOneLine(t, err)
	})
	t.Run("server never speaks", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close() // hold the connection open, say nothing
			}
		}()
		f := NewFetcher(local(Options{Timeout: 300 * time.Millisecond}))
		_, err = f.Fetch(context.Background(), Request{URL: "http://" + ln.Addr().String() + "/feed"})
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want ErrTimeout", err)
		}
		checkOneLine(t, err)
	})
	t.Run("caller cancels", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(50 * time.Millisecond); cancel() }()
		_, err := NewFetcher(local(Options{})).Fetch(ctx, Request{URL: srv.URL})
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

// redirector serves /feed and redirects /r/... as the path says:
// /r/301/r/302/feed answers 301 to /r/302/feed, which answers 302 to /feed.
func redirector(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<rss></rss>"))
	})
	mux.HandleFunc("/r/", func(w http.ResponseWriter, r *http.Request) {
		var code int
		var rest string
		fmt.Sscanf(r.URL.Path, "/r/%d", &code)
		rest = r.URL.Path[len("/r/000"):]
		http.Redirect(w, r, rest, code)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", 302) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/a", 301) })
	mux.HandleFunc("/chain/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/chain/%d", &n)
		if n == 0 {
			w.Write([]byte("<rss></rss>"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), 302)
	})
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "file:///etc/passwd")
		w.WriteHeader(302)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "ftp://example.com/feed.xml")
		w.WriteHeader(301)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchRedirects(t *testing.T) {
	srv := redirector(t)
	f := NewFetcher(local(Options{}))
	tests := []struct {
		path          string
		wantPermanent bool
		wantErr       string // substring; "" for success
	}{
		{"/feed", false, ""},
		{"/r/301/feed", true, ""},
		{"/r/308/feed", true, ""},
		{"/r/301/r/308/feed", true, ""},
		{"/r/302/feed", false, ""},
		{"/r/307/feed", false, ""},
		{"/r/301/r/302/feed", false, ""},
		{"/r/302/r/301/feed", false, ""},
		{"/chain/10", false, ""},
		{"/chain/11", false, "more than 10 redirects"},
		{"/loop/a", false, "loop back to"},
		{"/file", false, `unsupported scheme "file"`},
		{"/ftp", false, `unsupported scheme "ftp"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := f.Fetch(context.Background(), Request{URL: srv.URL + tt.path})
			if tt.wantErr != "" {
				if !errors.Is(err, ErrRedirect) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want ErrRedirect with %q", err, tt.wantErr)
				}
				checkOneLine(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.URL != srv.URL+strings.TrimPrefix(tt.path, tt.path[:strings.LastIndex(tt.path, "/")]) && !strings.HasPrefix(tt.path, "/chain") {
				t.Errorf("URL: got %q, want the final URL %q", res.URL, srv.URL+"/feed")
			}
			wantPerm := ""
			if tt.wantPermanent {
				wantPerm = srv.URL + "/feed"
			}
			if res.PermanentURL != wantPerm {
				t.Errorf("PermanentURL: got %q, want %q", res.PermanentURL, wantPerm)
			}
		})
	}
}

func TestFetchStatus(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		status         int
		retryAfter     string
		wantRetryAfter time.Duration
		wantGone       bool
	}{
		{"gone", 410, "", 0, true},
		{"429 seconds", 429, "120", 2 * time.Minute, false},
		{"503 http date", 503, now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, false},
		{"503 date in the past", 503, now.Add(-time.Hour).Format(http.TimeFormat), 0, false},
		{"429 garbage", 429, "soon", 0, false},
		{"429 absurd", 429, "99999999999", maxRetryAfter, false},
		{"404", 404, "", 0, false},
		{"500 ignores retry-after", 500, "60", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte("go away"))
			}))
			defer srv.Close()
			f := NewFetcher(local(Options{Now: func() time.Time { return now }}))
			res, err := f.Fetch(context.Background(), Request{URL: srv.URL})
			var se *StatusError
			if !errors.As(err, &se) || !errors.Is(err, ErrStatus) {
				t.Fatalf("got %v, want a *StatusError", err)
			}
			checkOneLine(t, err)
			if se.Status != tt.status || se.RetryAfter != tt.wantRetryAfter {
				t.Errorf("got status %d retry after %s, want %d %s", se.Status, se.RetryAfter, tt.status, tt.wantRetryAfter)
			}
			if errors.Is(err, ErrGone) != tt.wantGone {
				t.Errorf("errors.Is(err, ErrGone) = %v, want %v", !tt.wantGone, tt.wantGone)
			}
			if res == nil || res.Status != tt.status || res.RetryAfter != tt.wantRetryAfter || res.Body != nil {
				t.Errorf("response: got %+v, want status %d, retry after %s, no body", res, tt.status, tt.wantRetryAfter)
			}
		})
	}
}

// TestFetchPerHost counts requests in flight on the server side.
func TestFetchPerHost(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	arrived := make(chan string, 100)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		arrived <- r.Host
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	f := NewFetcher(local(Options{PerHost: 2}))

	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n+1)
	for range n {
		wg.Go(func() {
			_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
			errs <- err
		})
	}
	<-arrived
	<-arrived
	select {
	case h := <-arrived:
		t.Fatalf("a third request to %s is in flight", h)
	case <-time.After(100 * time.Millisecond):
	}
	// Another host name for the same server has its own slots.
	other := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	wg.Go(func() {
		_, err := f.Fetch(context.Background(), Request{URL: other})
		errs <- err
	})
	if h := <-arrived; !strings.HasPrefix(h, "localhost") {
		t.Fatalf("got a request for %s, want one for localhost", h)
	}
	if got := maxInFlight.Load(); got != 3 {
		t.Fatalf("in flight: got %d, want 3 (2 for 127.0.0.1, 1 for localhost)", got)
	}
	// A caller waiting for a slot gives up when its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.Fetch(ctx, Request{URL: srv.URL}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a slot: got %v, want context.DeadlineExceeded", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := maxInFlight.Load(); got > 3 {
		t.Errorf("max in flight: got %d, want at most 3", got)
	}
	f.mu.Lock()
	left := len(f.hosts)
	f.mu.Unlock()
	if left != 0 {
		t.Errorf("%d host slots left after all fetches", left)
	}
}

func TestFetchSSRF(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("<rss></rss>"))
	}))
	defer srv.Close()
	// A second server on another port: another host for the redirect.
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("secret"))
	}))
	defer inner.Close()
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/same-host" {
			http.Redirect(w, r, "/ok", http.StatusFound)
			return
		}
		if r.URL.Path == "/ok" {
			w.Write([]byte("<rss></rss>"))
			return
		}
		http.Redirect(w, r, inner.URL+"/latest/meta-data/", http.StatusFound)
	}))
	defer hop.Close()
	localhost := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)

	tests := []struct {
		name      string
		opt       Options
		req       Request
		wantBlock bool
		wantHits  int32
	}{
		{"untrusted loopback", Options{}, Request{URL: srv.URL}, true, 0},
		{"untrusted name resolving to loopback", Options{}, Request{URL: localhost}, true, 0},
		{"loopback in fetch.allow", Options{Allow: []string{"127.0.0.0/8"}}, Request{URL: srv.URL}, false, 1},
		{"loopback address in fetch.allow", Options{Allow: []string{"127.0.0.1"}}, Request{URL: srv.URL}, false, 1},
		{"host name in fetch.allow", Options{Allow: []string{"LocalHost"}}, Request{URL: localhost}, false, 1},
		{"other network in fetch.allow", Options{Allow: []string{"10.0.0.0/8", "intranet.example"}}, Request{URL: srv.URL}, true, 0},
		{"trusted feed URL", Options{}, Request{URL: srv.URL, Trusted: true}, false, 1},
		{"trusted host redirecting on itself", Options{}, Request{URL: hop.URL + "/same-host", Trusted: true}, false, 2},
		{"trusted host redirecting to another private host", Options{}, Request{URL: hop.URL + "/elsewhere", Trusted: true}, true, 1},
		{"redirect elsewhere within fetch.allow", Options{Allow: []string{"127.0.0.1"}}, Request{URL: hop.URL + "/elsewhere", Trusted: true}, false, 2},
		{"file scheme", Options{}, Request{URL: "file:///etc/passwd"}, true, 0},
		{"gopher scheme, trusted", Options{}, Request{URL: "gopher://127.0.0.1/", Trusted: true}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			_, err := NewFetcher(tt.opt).Fetch(context.Background(), tt.req)
			if tt.wantBlock {
				if !errors.Is(err, ErrBlocked) {
					t.Fatalf("got %v, want ErrBlocked", err)
				}
				checkOneLine(t, err)
			} else if err != nil {
				t.Fatal(err)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("server hits: got %d, want %d", got, tt.wantHits)
			}
		})
	}
}

func TestFetchBlockedRedirectNamesTarget(t *testing.T) {
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer inner.Close()
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/latest/meta-data/", http.StatusFound)
	}))
	defer hop.Close()
	_, err := NewFetcher(Options{}).Fetch(context.Background(), Request{URL: hop.URL + "/feed", Trusted: true})
	want := "feeds: fetch " + hop.URL + "/feed: at " + inner.URL + "/latest/meta-data/: dial tcp " +
		strings.TrimPrefix(inner.URL, "http://") + ": blocked: loopback address 127.0.0.1 (to reach it, add it or its network to fetch.allow)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestCheckAddr(t *testing.T) {
	blocked := []string{
		"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3",
		"224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "198.18.0.1",
		"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
		"64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
		"2002:7f00:1::",      // 6to4 of 127.0.0.1
		"2002:a9fe:a9fe::1",  // 6to4 of 169.254.169.254
	}
	allowed := []string{
		"8.8.8.8", "1.1.1.1", "93.184.215.14", "172.32.0.1", "100.128.0.1", "169.255.0.1",
		"2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
	}
	for _, s := range blocked {
		if err := guardControl("tcp", net.JoinHostPort(s, "80"), nil); !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: got %v, want ErrBlocked", s, err)
		}
	}
	for _, s := range allowed {
		if err := guardControl("tcp6", net.JoinHostPort(s, "443"), nil); err != nil {
			t.Errorf("%s: got %v, want allowed", s, err)
		}
	}
}

// fetch.allow opens what it names; link-local and metadata addresses stay
// refused unless an entry names them exactly, whatever wider entry covers
// them (0.0.0.0/0 included), and the refusal names the key.
func TestAllowList(t *testing.T) {
	tests := []struct {
		allow  []string
		addr   string
		byName bool
		ok     bool
	}{
		{nil, "10.1.2.3", false, false},
		{[]string{"10.0.0.0/8"}, "10.1.2.3", false, true},
		{[]string{"10.1.2.3"}, "10.1.2.4", false, false},
		{[]string{"0.0.0.0/0", "::/0"}, "192.168.1.1", false, true},
		{[]string{"0.0.0.0/0", "::/0"}, "169.254.169.254", false, false},
		{[]string{"0.0.0.0/0", "::/0"}, "169.254.3.4", false, false},
		{[]string{"0.0.0.0/0", "::/0"}, "fe80::1", false, false},
		{[]string{"0.0.0.0/0", "::/0"}, "fd00:ec2::254", false, false},
		{[]string{"100.64.0.0/10"}, "100.100.100.200", false, false},
		{[]string{"169.254.0.0/16"}, "169.254.169.254", false, false},
		{[]string{"169.254.169.254"}, "169.254.169.254", false, true},
		{[]string{"169.254.0.0/16"}, "169.254.3.4", false, true},
		{[]string{"169.254.3.0/24"}, "169.254.3.4", false, true},
		{[]string{"0.0.0.0/0"}, "::ffff:169.254.169.254", false, false},
		{[]string{"0.0.0.0/0"}, "64:ff9b::a9fe:a9fe", false, false},
		{[]string{"intranet.example"}, "10.9.9.9", true, true},
		{[]string{"intranet.example"}, "169.254.169.254", true, false},
		{[]string{"intranet.example"}, "169.254.1.1", true, false},
		{[]string{"fc00::/7"}, "fd12::1", false, true},
		{nil, "8.8.8.8", false, true},
	}
	for _, tt := range tests {
		err := newAllowList(tt.allow).check(netip.MustParseAddr(tt.addr), tt.byName)
		if got := err == nil; got != tt.ok {
			t.Errorf("allow %v, %s (by name %v): got %v, want allowed=%v", tt.allow, tt.addr, tt.byName, err, tt.ok)
		}
		if err != nil && (!errors.Is(err, ErrBlocked) || !strings.Contains(err.Error(), "fetch.allow")) {
			t.Errorf("allow %v, %s: %q does not name fetch.allow", tt.allow, tt.addr, err)
		}
	}
}
