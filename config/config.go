// Package config reads stet's YAML configuration file.
//
// A Config is plain data: cmd/stet builds one (Load, or Default plus feed
// URLs given as arguments) and passes the parts down. Parsing is strict:
// an unknown key, a bad cron expression, a bad URL, a duplicate feed or a
// password written into the file is refused with one line naming the key and
// its line (see Error).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // digest.timezone must load on hosts without a zoneinfo database

	"github.com/robfig/cron/v3"
)

// Config is the whole configuration file.
type Config struct {
	Database  string    `yaml:"database"`
	Schedule  string    `yaml:"schedule"` // default cron schedule of every feed
	Feeds     []Feed    `yaml:"feeds"`
	Digest    Digest    `yaml:"digest"`
	SMTP      SMTP      `yaml:"smtp"`
	HTTP      HTTP      `yaml:"http"`
	Fetch     Fetch     `yaml:"fetch"`
	Recheck   Recheck   `yaml:"recheck"`
	Retention Retention `yaml:"retention"`
	Cluster   Cluster   `yaml:"cluster"`
}

// Feed is one watched feed.
type Feed struct {
	URL      string `yaml:"url"`
	Name     string `yaml:"name,omitempty"`
	Schedule string `yaml:"schedule,omitempty"`  // "" means Config.Schedule
	FullText bool   `yaml:"full_text,omitempty"` // fetch and track each article's page
}

// Digest is the daily mail.
type Digest struct {
	Schedule  string   `yaml:"schedule"`
	Timezone  string   `yaml:"timezone"` // IANA name; "" means the machine's zone
	From      string   `yaml:"from"`
	To        []string `yaml:"to"`
	Dir       string   `yaml:"dir"` // write .eml files here (used when smtp.host is empty)
	SendEmpty bool     `yaml:"send_empty"`
	// MaxBytes caps one digest mail; past it the remaining changes are
	// counted per feed and article with links to the web view.
	MaxBytes ByteSize `yaml:"max_bytes"`
}

// MinDigestBytes is the smallest digest.max_bytes accepted: room for the
// headers, the counts and some changes.
const MinDigestBytes = 64 << 10

// SMTP is the mail server the digest is sent through.
type SMTP struct {
	Host        string   `yaml:"host"`
	Port        int      `yaml:"port"`
	Username    string   `yaml:"username"`
	PasswordEnv string   `yaml:"password_env"` // name of the variable holding the password
	TLS         string   `yaml:"tls"`          // TLSStartTLS, TLSImplicit or TLSNone
	Timeout     Duration `yaml:"timeout"`
}

// Values of SMTP.TLS.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// HTTP is the optional web view, API and metrics.
type HTTP struct {
	Listen   string `yaml:"listen"`    // "" means no web server
	TokenEnv string `yaml:"token_env"` // name of the variable holding the bearer token
	// BaseURL is where readers reach the web view ("https://stet.example.org"):
	// the digest's links to it, the Atom feed's ids and links, and the one
	// host name besides the listen address and localhost that the server
	// answers to. "" means none.
	BaseURL string `yaml:"base_url"`
}

// PrivateNetworks is what the deprecated fetch.allow_private: true stands
// for: private, loopback, carrier-grade NAT and unique-local networks.
var PrivateNetworks = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "100.64.0.0/10", "::1/128", "fc00::/7"}

// AllowList is fetch.allow, with what the deprecated fetch.allow_private
// stands for.
func (f Fetch) AllowList() []string {
	out := append([]string(nil), f.Allow...)
	if f.AllowPrivate {
		out = append(out, PrivateNetworks...)
	}
	return out
}

// Deprecations returns a warning for each deprecated key set, naming its
// replacement.
func (c Config) Deprecations() []string {
	var out []string
	if c.Fetch.AllowPrivate {
		out = append(out, "fetch.allow_private is deprecated and now stands for fetch.allow: ["+strings.Join(PrivateNetworks, ", ")+
			"] (never link-local or metadata addresses): replace it with fetch.allow listing only the networks or hosts to reach")
	}
	return out
}

// MinTokenBytes is the shortest bearer token accepted for a listen address
// other than loopback.
const MinTokenBytes = 16

// Fetch sets the limits of fetching feeds and pages.
type Fetch struct {
	Workers        int      `yaml:"workers"`  // feeds fetched at once
	PerHost        int      `yaml:"per_host"` // requests at once to one host
	MaxBody        ByteSize `yaml:"max_body"` // after decompression
	Timeout        Duration `yaml:"timeout"`  // whole request
	ConnectTimeout Duration `yaml:"connect_timeout"`
	HeaderTimeout  Duration `yaml:"header_timeout"`
	// Allow lists what untrusted fetches (article pages, redirects away
	// from a feed's host) may reach although it is not public: CIDR
	// networks, addresses and host names. Link-local and metadata
	// addresses (169.254.169.254) need an entry naming them exactly.
	Allow []string `yaml:"allow"`
	// AllowPrivate is deprecated: true means the private, loopback and
	// unique-local networks (PrivateNetworks) in fetch.allow, and no longer
	// reaches link-local or metadata addresses.
	AllowPrivate bool   `yaml:"allow_private"`
	MaxItems     int    `yaml:"max_items"`  // items kept from one feed document
	UserAgent    string `yaml:"user_agent"` // "" means stet's own
}

// Recheck sets how article pages of full_text feeds are fetched again after
// the article left its feed.
type Recheck struct {
	Tiers  []Tier   `yaml:"tiers"`   // by increasing age; none means no rechecks
	MaxAge Duration `yaml:"max_age"` // stop rechecking an article this old
	Budget int      `yaml:"budget"`  // at most this many rechecks in one pass
}

// Tier: while an article is younger than Until, recheck it Every so often.
type Tier struct {
	Until Duration `yaml:"until"`
	Every Duration `yaml:"every"`
}

// Retention sets what may be dropped from the database.
type Retention struct {
	UnchangedDays int `yaml:"unchanged_days"` // drop old revisions of articles older than this that never changed; 0 keeps everything
}

// Cluster sets how `stet run` workers sharing one PostgreSQL database
// share the work. With SQLite it is accepted and unused.
type Cluster struct {
	// Lease is how long a worker's claim on a feed (and the digest's
	// leader lease) holds without renewal: a worker that dies leaves its
	// feeds to the others after at most this long.
	Lease Duration `yaml:"lease"`
}

// MaxLease bounds cluster.lease: a dead worker's feeds wait that long.
const MaxLease = 5 * time.Minute

// Default returns the configuration used where the file says nothing.
func Default() Config {
	return Config{
		Database: defaultDatabase(os.Getenv, os.UserHomeDir),
		Schedule: "*/30 * * * *",
		Digest:   Digest{Schedule: "0 7 * * *", MaxBytes: 2_000_000},
		SMTP:     SMTP{Port: 587, TLS: TLSStartTLS, Timeout: Duration(30 * time.Second)},
		Fetch: Fetch{
			Workers:        8,
			PerHost:        2,
			MaxBody:        20 << 20,
			Timeout:        Duration(60 * time.Second),
			ConnectTimeout: Duration(10 * time.Second),
			HeaderTimeout:  Duration(20 * time.Second),
			MaxItems:       1000,
		},
		Recheck: Recheck{
			Tiers: []Tier{
				{Until: Duration(6 * time.Hour), Every: Duration(30 * time.Minute)},
				{Until: Duration(24 * time.Hour), Every: Duration(time.Hour)},
				{Until: Duration(7 * day), Every: Duration(6 * time.Hour)},
				{Until: Duration(30 * day), Every: Duration(24 * time.Hour)},
			},
			MaxAge: Duration(30 * day),
			Budget: 200,
		},
		Cluster: Cluster{Lease: Duration(30 * time.Second)},
	}
}

// defaultDatabase is $XDG_DATA_HOME/stet/stet.db, else
// ~/.local/share/stet/stet.db, else stet.db in the working directory.
func defaultDatabase(getenv func(string) string, home func() (string, error)) string {
	if d := getenv("XDG_DATA_HOME"); filepath.IsAbs(d) { // the XDG spec ignores relative paths
		return filepath.Join(d, "stet", "stet.db")
	}
	if h, err := home(); err == nil && h != "" {
		return filepath.Join(h, ".local", "share", "stet", "stet.db")
	}
	return "stet.db"
}

// maxFileSize bounds what Parse reads.
const maxFileSize = 4 << 20

// Parse reads a YAML configuration: Default overlaid with the document,
// decoded strictly, then validated. An empty document is the default
// configuration. Errors are *Error.
func Parse(r io.Reader) (Config, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return Config{}, &Error{Msg: "read: " + err.Error(), Err: err}
	}
	if len(b) > maxFileSize {
		return Config{}, &Error{Msg: fmt.Sprintf("larger than %d bytes", maxFileSize)}
	}
	c := Default()
	lines, err := decode(b, &c)
	if err != nil {
		return Config{}, err
	}
	if errs := c.validate(); len(errs) > 0 {
		return Config{}, firstInFile(errs, lines)
	}
	return c, nil
}

// Load parses the file at path. Errors name the file.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, &Error{Msg: err.Error(), Err: err}
	}
	c, err := Parse(bytes.NewReader(b))
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = path
			return Config{}, e
		}
		return Config{}, fmt.Errorf("config: %s: %w", path, err)
	}
	return c, nil
}

// FeedSchedule returns the cron schedule of f: its own, or the default.
func (c Config) FeedSchedule(f Feed) string {
	if f.Schedule != "" {
		return f.Schedule
	}
	return c.Schedule
}

// Location returns the digest's time zone: digest.timezone, or time.Local
// when it is empty.
func (c Config) Location() (*time.Location, error) {
	if c.Digest.Timezone == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(c.Digest.Timezone)
	if err != nil {
		return nil, &Error{Key: "digest.timezone", Msg: fmt.Sprintf("unknown time zone %q", c.Digest.Timezone), Err: err}
	}
	return loc, nil
}

// AddURLs adds feeds given as command arguments, with default settings.
// A URL that is not an absolute http(s) URL, or that is already watched
// (by the file or an earlier argument), is refused; c is then unchanged.
func (c *Config) AddURLs(urls []string) error {
	if len(urls) == 0 {
		return nil
	}
	seen := map[string]int{}
	for i, f := range c.Feeds {
		if _, ok := seen[feedKey(f.URL)]; !ok {
			seen[feedKey(f.URL)] = i
		}
	}
	feeds := append([]Feed(nil), c.Feeds...)
	for _, u := range urls {
		key := fmt.Sprintf("argument %q", redactURL(u))
		if msg := checkFeedURL(u); msg != "" {
			return &Error{Key: key, Msg: msg}
		}
		k := feedKey(u)
		if i, ok := seen[k]; ok {
			if i < len(c.Feeds) {
				return &Error{Key: key, Msg: fmt.Sprintf("duplicate of feeds[%d].url %q", i, redactURL(c.Feeds[i].URL))}
			}
			return &Error{Key: key, Msg: "given twice"}
		}
		seen[k] = len(feeds)
		feeds = append(feeds, Feed{URL: u})
	}
	n := *c
	n.Feeds = feeds
	if err := n.Validate(); err != nil {
		return err
	}
	*c = n
	return nil
}

// Password returns the SMTP password from the variable smtp.password_env
// names; "" when none is named.
func (c Config) Password(getenv func(string) string) string {
	if c.SMTP.PasswordEnv == "" {
		return ""
	}
	return getenv(c.SMTP.PasswordEnv)
}

// Token returns the HTTP bearer token from the variable http.token_env
// names; "" when none is named.
func (c Config) Token(getenv func(string) string) string {
	if c.HTTP.TokenEnv == "" {
		return ""
	}
	return getenv(c.HTTP.TokenEnv)
}

// CheckSecrets checks what Validate cannot see because it lives in the
// environment: a listen address other than loopback needs a bearer token of
// at least MinTokenBytes bytes in the variable http.token_env names. A
// missing, empty or short token is refused (never served without one),
// naming the variable.
func (c Config) CheckSecrets(getenv func(string) string) error {
	h := c.HTTP
	if h.Listen == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(h.Listen)
	if err != nil || isLoopback(host) {
		return nil // Validate reports a bad address
	}
	if h.TokenEnv == "" {
		return &Error{Key: "http.token_env", Msg: fmt.Sprintf("http.listen %q is reachable from other machines: set http.token_env to the name of a variable holding a bearer token of at least %d bytes, or listen on 127.0.0.1", h.Listen, MinTokenBytes)}
	}
	tok := getenv(h.TokenEnv)
	var why string
	switch {
	case tok == "":
		why = "is not set or empty"
	case len(strings.TrimSpace(tok)) < MinTokenBytes:
		why = fmt.Sprintf("holds %d bytes", len(strings.TrimSpace(tok)))
	default:
		return nil
	}
	return &Error{Key: "http.token_env", Msg: fmt.Sprintf("the variable %s %s: http.listen %q is reachable from other machines and needs a bearer token of at least %d bytes in %s (refusing to serve without one)", h.TokenEnv, why, h.Listen, MinTokenBytes, h.TokenEnv)}
}

// CronParser returns the parser every schedule is checked with: five
// fields (minute to day of week) or a descriptor ("@hourly", "@every 10m").
// It parses what cron.ParseStandard parses.
func CronParser() cron.Parser { return cronParser }

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
