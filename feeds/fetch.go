package feeds

import (
	"bufio"
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
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultUserAgent is sent when Options.UserAgent is empty. Callers that know
// their version use UserAgent(version).
const DefaultUserAgent = "stet/dev (+https://github.com/stet-news/stet)"

// UserAgent returns the User-Agent for a stet version.
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "stet/" + version + " (+https://github.com/stet-news/stet)"
}

// Defaults for zero Options fields.
const (
	DefaultMaxBody        = 20 << 20
	DefaultTimeout        = 60 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultHeaderTimeout  = 30 * time.Second
	DefaultPerHost        = 2
	DefaultMaxItems       = 1000
	maxRedirects          = 10
)

// Options configure a Fetcher. Zero fields take the defaults above.
type Options struct {
	UserAgent      string        // default DefaultUserAgent
	MaxBody        int64         // bytes after decompression; default 20 MiB
	Timeout        time.Duration // whole request, body included; default 60s
	ConnectTimeout time.Duration // TCP connect and TLS handshake; default 10s
	HeaderTimeout  time.Duration // from request sent to response headers; default 30s
	PerHost        int           // requests in flight per host; default 2
	// Allow (fetch.allow) lists the networks (CIDR or address) and host
	// names untrusted requests may reach although they are not public.
	// Link-local and metadata addresses need an entry naming them exactly.
	Allow    []string
	MaxItems int // items kept per feed (see ParseOptions); default 1000
	Now      func() time.Time
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = DefaultHeaderTimeout
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultMaxItems
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ParseOptions returns the parse limits that go with these fetch options.
func (o Options) ParseOptions() ParseOptions {
	o = o.withDefaults()
	return ParseOptions{MaxItems: o.MaxItems, Now: o.Now}
}

// ParseOptions returns the parse limits of this fetcher's options, for
// ParseWith(resp.Body, resp.ContentType, resp.URL, f.ParseOptions()).
func (f *Fetcher) ParseOptions() ParseOptions { return f.o.ParseOptions() }

// Request is one fetch.
type Request struct {
	URL          string
	ETag         string // sent as If-None-Match
	LastModified string // sent as If-Modified-Since when there is no ETag
	// Trusted marks a feed URL the user configured: its host is fetched
	// without the SSRF guard. Redirects to another host are guarded.
	Trusted bool
}

// Response is the result of a fetch.
type Response struct {
	Status       int
	URL          string // final URL after redirects
	PermanentURL string // the final URL when every redirect was 301 or 308; "" otherwise
	ETag         string
	LastModified string
	ContentType  string
	Body         []byte // nil for 304 and for errors
	NotModified  bool
	RetryAfter   time.Duration // from 429/503
}

// Fetcher fetches feeds and pages politely and defensively. It is safe for
// concurrent use.
type Fetcher struct {
	o       Options
	trusted http.RoundTripper // no address guard
	guarded http.RoundTripper // refuses non-public addresses not in allow
	allow   allowList

	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	sem  chan struct{}
	refs int
}

// NewFetcher returns a Fetcher with o's limits.
func NewFetcher(o Options) *Fetcher {
	o = o.withDefaults()
	f := &Fetcher{o: o, hosts: map[string]*hostSlot{}, allow: newAllowList(o.Allow)}
	f.trusted = f.transport(false)
	f.guarded = f.transport(true)
	return f
}

func (f *Fetcher) transport(guard bool) *http.Transport {
	d := &net.Dialer{Timeout: f.o.ConnectTimeout, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    f.o.ConnectTimeout,
		ResponseHeaderTimeout:  f.o.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    f.o.PerHost,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		DisableCompression:     true, // we ask for gzip ourselves and cap after decompressing
	}
	if guard {
		// The guard checks the address actually dialled; a proxy would hide
		// the target, so guarded requests go direct. A host name listed in
		// fetch.allow may resolve to a private address.
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			dd := *d
			dd.Control = f.allow.control(f.allow.hosts[strings.ToLower(strings.TrimSuffix(host, "."))])
			return dd.DialContext(ctx, network, addr)
		}
	} else {
		t.Proxy = http.ProxyFromEnvironment
	}
	return t
}

// Fetch GETs r.URL. A 304 gives NotModified and no body. An answer other
// than 2xx or 304 gives both a Response (status, URL, headers, no body) and
// an error wrapping a *StatusError; transport failures give a nil Response.
// Errors read "feeds: fetch URL: ..." and wrap ErrGone, ErrTooLarge,
// ErrBlocked, ErrStatus, ErrTimeout or ErrRedirect where they apply.
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(r.URL))
	if err != nil {
		return nil, fmt.Errorf("feeds: fetch %s: %w", r.URL, err)
	}
	name := u.Redacted()
	fail := func(err error) error { return fmt.Errorf("feeds: fetch %s: %w", name, err) }
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fail(fmt.Errorf("%w: unsupported URL scheme %q", ErrBlocked, u.Scheme))
	}
	if u.Host == "" {
		return nil, fail(errors.New("URL has no host"))
	}

	release, err := f.acquire(ctx, strings.ToLower(u.Hostname()))
	if err != nil {
		return nil, fail(err)
	}
	defer release()

	tctx, cancel := context.WithTimeout(ctx, f.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fail(err)
	}
	req.Header.Set("User-Agent", f.o.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5")
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	// ETag wins: when we have one, If-Modified-Since is not sent, so a
	// server that compares dates only cannot answer 304 for changed content.
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	} else if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	var rt http.RoundTripper = f.guarded
	if r.Trusted {
		rt = &routeTransport{host: strings.ToLower(u.Host), trusted: f.trusted, guarded: f.guarded}
	}
	ch := &redirectChain{permanent: true}
	client := &http.Client{Transport: rt, CheckRedirect: ch.check}

	resp, err := client.Do(req)
	if err != nil {
		return nil, fail(f.explain(ctx, tctx, name, err))
	}
	defer resp.Body.Close()

	o := classify(resp.StatusCode, resp.Header, f.o.Now())
	res := &Response{
		Status:       resp.StatusCode,
		URL:          resp.Request.URL.String(),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		ContentType:  resp.Header.Get("Content-Type"),
		RetryAfter:   o.RetryAfter,
	}
	if ch.hops > 0 && ch.permanent {
		res.PermanentURL = res.URL
	}
	if o.NotModified {
		res.NotModified = true
		if res.ETag == "" {
			res.ETag = r.ETag
		}
		if res.LastModified == "" {
			res.LastModified = r.LastModified
		}
		return res, nil
	}
	if err := o.err(); err != nil {
		return res, fail(err)
	}
	body, err := readBody(resp, f.o.MaxBody)
	if err != nil {
		return nil, fail(f.explain(ctx, tctx, name, err))
	}
	res.Body = body
	return res, nil
}

// explain turns a client error into one plain line: our own timeout becomes
// ErrTimeout, the url.Error's repetition of the URL is dropped.
func (f *Fetcher) explain(ctx, tctx context.Context, orig string, err error) error { // orig: the requested URL, redacted
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if tctx.Err() != nil {
		return fmt.Errorf("%w after %s", ErrTimeout, f.o.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		inner := ue.Err
		var ne net.Error
		if errors.As(inner, &ne) && ne.Timeout() && !errors.Is(inner, ErrBlocked) {
			inner = fmt.Errorf("%w: %v", ErrTimeout, inner)
		}
		// Name the URL that failed when a redirect led elsewhere (a
		// redirect error names its target itself).
		if at, perr := url.Parse(ue.URL); perr == nil && at.IsAbs() && at.Redacted() != orig && !errors.Is(inner, ErrRedirect) {
			return fmt.Errorf("at %s: %w", at.Redacted(), inner)
		}
		return inner
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return err
}

// acquire takes one of the host's PerHost slots, waiting while ctx allows.
func (f *Fetcher) acquire(ctx context.Context, host string) (func(), error) {
	f.mu.Lock()
	s := f.hosts[host]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, f.o.PerHost)}
		f.hosts[host] = s
	}
	s.refs++
	f.mu.Unlock()

	done := func() {
		f.mu.Lock()
		s.refs--
		if s.refs == 0 {
			delete(f.hosts, host)
		}
		f.mu.Unlock()
	}
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}

// routeTransport sends requests for the configured (trusted) host without
// the guard and everything else, such as a redirect elsewhere, through it.
type routeTransport struct {
	host             string
	trusted, guarded http.RoundTripper
}

func (t *routeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.EqualFold(req.URL.Host, t.host) {
		return t.trusted.RoundTrip(req)
	}
	return t.guarded.RoundTrip(req)
}

// redirectChain follows at most maxRedirects http(s) redirects and records
// whether every hop was permanent.
type redirectChain struct {
	hops      int
	permanent bool
}

func (c *redirectChain) check(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: to unsupported scheme %q", ErrRedirect, req.URL.Scheme)
	}
	next := req.URL.String()
	for _, v := range via {
		if v.URL.String() == next {
			return fmt.Errorf("%w: loop back to %s", ErrRedirect, req.URL.Redacted())
		}
	}
	if len(via) > maxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrRedirect, maxRedirects)
	}
	c.hops++
	if req.Response == nil || (req.Response.StatusCode != http.StatusMovedPermanently && req.Response.StatusCode != http.StatusPermanentRedirect) {
		c.permanent = false
	}
	return nil
}

// readBody reads the body, decompressing gzip and deflate itself, and
// refuses more than max bytes, counted both before and after decompression.
// A gzip bomb stops at max+1 expanded bytes.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if (enc == "" || enc == "identity") && resp.ContentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrTooLarge, resp.ContentLength, max)
	}
	raw := &countReader{r: io.LimitReader(resp.Body, max+1)}
	br := bufio.NewReader(raw)
	var r io.Reader = br
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip", "deflate":
		magic, _ := br.Peek(2)
		switch {
		case len(magic) < 2:
			// empty or one byte: nothing to decompress
		case magic[0] == 0x1f && magic[1] == 0x8b:
			zr, err := gzip.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("reading gzip body: %w", err)
			}
			defer zr.Close()
			r = zr
		case enc == "deflate" && magic[0]&0x0f == 8 && (uint16(magic[0])<<8|uint16(magic[1]))%31 == 0:
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("reading deflate body: %w", err)
			}
			defer zr.Close()
			r = zr
		case enc == "deflate":
			fr := flate.NewReader(br)
			defer fr.Close()
			r = fr
		default:
			// Content-Encoding says gzip, the bytes are not: a common
			// misconfiguration. Take them as they are.
		}
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	var buf bytes.Buffer
	if enc == "" && resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if n > max || raw.n > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	return buf.Bytes(), nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
