// Package web serves stet's web view (changes, articles, feeds), an Atom
// feed of changes, a JSON API, /healthz and /metrics from the running
// daemon. It reads the store and never writes to it.
//
// Everything that came from a feed is escaped: pages are rendered with
// html/template and never mark feed text as safe HTML, only http and https
// article links become hrefs, and every response carries a strict
// Content-Security-Policy (no scripts at all).
package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/stet-news/stet/metrics"
	"github.com/stet-news/stet/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Options configure a Server. The zero value serves without a token, with
// time.Now, no logging and its own Metrics.
type Options struct {
	// Token: when set, every route but /healthz needs
	// "Authorization: Bearer TOKEN".
	Token string
	// Now is the clock (relative times, the Atom feed's updated when empty).
	Now func() time.Time
	// Log receives request errors; nil discards them.
	Log *slog.Logger
	// Metrics are the daemon's counters, shown on /metrics, and its health,
	// which /healthz reports; nil: a fresh set.
	Metrics *metrics.Metrics
	// FeedNames maps a feed's configured URL to its display name; a name
	// given here wins over the one stored.
	FeedNames map[string]string
	// NextFetch, when set, gives the next fetch of a feed as the daemon plans
	// it (its cron schedule); nil shows the stored next_fetch. The zero time
	// means none planned.
	NextFetch func(f store.FeedStatus, now time.Time) time.Time
	// BaseURL ("https://stet.example.org") makes the Atom feed's absolute
	// links and ids; "" takes scheme and host from the request. Its host is
	// one the server answers to.
	BaseURL string
	// Hosts are the hosts (names or addresses, ports ignored) the server
	// answers to besides BaseURL's, localhost names and loopback addresses:
	// the listen address's host. An unspecified one (0.0.0.0, ::) admits
	// every IP literal. A request naming any other Host gets 421, so that a
	// page using DNS rebinding cannot read the API from a browser.
	Hosts []string
	// MaxHeavy bounds the article page and /api/articles/{id} running at
	// once (each may read and diff up to maxRevisionsLoaded revisions);
	// others wait their turn or give up with 503. 0: the default.
	MaxHeavy int
}

// Server serves the web view, the Atom feed and the API from a store.
type Server struct {
	st      *store.Store
	opts    Options
	log     *slog.Logger
	metrics *metrics.Metrics
	now     func() time.Time
	tokenH  [32]byte
	hosts   hostSet
	heavy   chan struct{} // a slot per heavy request running
	pages   *pages
	handler http.Handler
}

// New returns a Server reading st.
func New(st *store.Store, opts Options) *Server {
	s := &Server{st: st, opts: opts, log: opts.Log, metrics: opts.Metrics, now: opts.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = metrics.New()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.Token != "" {
		s.tokenH = sha256.Sum256([]byte(opts.Token))
	}
	s.hosts = newHostSet(opts.Hosts, opts.BaseURL)
	n := opts.MaxHeavy
	if n <= 0 {
		n = defaultMaxHeavy()
	}
	s.heavy = make(chan struct{}, n)
	s.pages = s.parsePages()
	s.handler = s.routes()
	return s
}

// Handler returns the HTTP handler of every route.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.changesPage)
	mux.HandleFunc("GET /changes", s.changesPage)
	mux.HandleFunc("GET /articles/{id}", s.articlePage)
	mux.HandleFunc("GET /feeds", s.feedsPage)
	mux.HandleFunc("GET /changes.atom", s.atom)
	mux.HandleFunc("GET /api/changes", s.apiChanges)
	mux.HandleFunc("GET /api/feeds", s.apiFeeds)
	mux.HandleFunc("GET /api/articles/{id}", s.apiArticle)
	mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		s.jsonError(w, http.StatusNotFound, "no such endpoint")
	})
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.metricsHandler)
	static, _ := fs.Sub(assets, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.Handle("GET /static/{file}", files) // one file: no directory listings
	mux.Handle("GET /favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently))
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusNotFound, "No such page.")
	})
	return s.guard(mux)
}

// csp allows nothing but our own stylesheet: no scripts, no frames, no
// foreign images, forms only to ourselves.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// guard sets the security headers on every response, refuses methods other
// than GET and HEAD, checks the bearer token, and counts requests.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() { s.metrics.Request(routeOf(r), sw.status) }()
		if !s.hosts.allows(r.Host) {
			http.Error(sw, "misdirected request: this server does not answer to that Host (set http.base_url to the name readers use)", http.StatusMisdirectedRequest)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(sw, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if s.opts.Token != "" && r.URL.Path != "/healthz" && !s.authorized(r) {
			h.Set("WWW-Authenticate", `Bearer realm="stet"`)
			http.Error(sw, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// authorized compares the request's bearer token with ours in constant
// time (hashes of both, so that not even the length leaks).
func (s *Server) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(got[:], s.tokenH[:]) == 1
}

// routeOf names a request's route for the request counter, from a fixed
// set so that the label stays small.
func routeOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/" || p == "/changes":
		return "changes"
	case strings.HasPrefix(p, "/articles/"):
		return "article"
	case p == "/feeds":
		return "feeds"
	case p == "/changes.atom":
		return "atom"
	case p == "/api/changes":
		return "api_changes"
	case p == "/api/feeds":
		return "api_feeds"
	case strings.HasPrefix(p, "/api/articles/"):
		return "api_article"
	case p == "/healthz":
		return "healthz"
	case p == "/metrics":
		return "metrics"
	case strings.HasPrefix(p, "/static/"):
		return "static"
	}
	return "other"
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// healthTimeout bounds the database check of /healthz.
const healthTimeout = 2 * time.Second

// pinger is the store method /healthz prefers when the store has it.
type pinger interface {
	Ping(ctx context.Context) error
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	err := s.ping(ctx)
	if err == nil {
		// The database answers reads; whether the daemon's writes succeed
		// is the pipeline's to say (a full disk fails only those).
		err = s.metrics.Health()
	}
	if err != nil {
		s.log.Error("web: health check", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// ping runs a trivial query: the store's Ping when it has one, else the
// lookup of an article that cannot exist (one primary-key probe).
func (s *Server) ping(ctx context.Context) error {
	if p, ok := any(s.st).(pinger); ok {
		return p.Ping(ctx)
	}
	_, err := s.st.Article(ctx, -1)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err == nil {
		return nil
	}
	return err
}

// defaultMaxHeavy is how many heavy requests run at once: one core is left
// to everything else (measured on 2 cores with ten clients loading a
// 5,000-change article: /healthz p50 0.4 ms with one slot, 26 ms with two),
// and at most four, each holding a few MB.
func defaultMaxHeavy() int { return min(4, max(1, runtime.GOMAXPROCS(0)-1)) }
