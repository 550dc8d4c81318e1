package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Validate checks c and returns the first problem as an *Error naming the
// key (without a line: Parse adds the line of keys read from a file).
func (c *Config) Validate() error {
	if errs := c.validate(); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// validate returns every problem of c, in the order of the keys in Config.
func (c *Config) validate() []*Error {
	var errs []*Error
	add := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	positive := func(key string, v int64, show string) {
		if v <= 0 {
			add(key, "must be more than 0, not %s", show)
		}
	}
	schedule := func(key, spec string) {
		if msg := checkSchedule(spec); msg != "" {
			add(key, "%s", msg)
		}
	}

	if strings.TrimSpace(c.Database) == "" {
		add("database", "missing: the path of the SQLite file")
	}
	schedule("schedule", c.Schedule)

	seen := map[string]int{}
	for i, f := range c.Feeds {
		p := fmt.Sprintf("feeds[%d]", i)
		switch {
		case f.URL == "":
			add(p+".url", "missing: every feed needs its url")
		case checkFeedURL(f.URL) != "":
			add(p+".url", "%s", checkFeedURL(f.URL))
		default:
			k := feedKey(f.URL)
			if j, dup := seen[k]; dup {
				add(p+".url", "%q is already watched as feeds[%d]", redactURL(f.URL), j)
			} else {
				seen[k] = i
			}
		}
		if f.Schedule != "" {
			schedule(p+".schedule", f.Schedule)
		}
	}

	d := c.Digest
	if up := strings.ToUpper(strings.TrimSpace(d.Schedule)); strings.HasPrefix(up, "CRON_TZ=") || strings.HasPrefix(up, "TZ=") {
		add("digest.schedule", "give the time zone in digest.timezone, not in the cron expression")
	} else {
		schedule("digest.schedule", d.Schedule)
	}
	if d.Timezone != "" {
		if _, err := time.LoadLocation(d.Timezone); err != nil {
			add("digest.timezone", "unknown time zone %q (want an IANA name like Europe/Berlin)", d.Timezone)
		}
	}
	if d.From != "" {
		if _, err := mail.ParseAddress(d.From); err != nil {
			add("digest.from", "bad address %q: %v", d.From, trimMailErr(err))
		}
	} else if len(d.To) > 0 {
		add("digest.from", "missing: the digest's sender address is needed when digest.to is set")
	}
	for i, to := range d.To {
		if _, err := mail.ParseAddress(to); err != nil {
			msg := fmt.Sprintf("bad address %q: %v", to, trimMailErr(err))
			if strings.Contains(to, ",") {
				msg += " (one address per list entry)"
			}
			add(fmt.Sprintf("digest.to[%d]", i), "%s", msg)
		}
	}
	if d.MaxBytes < MinDigestBytes {
		add("digest.max_bytes", "want at least %s (the default is 2MB), not %s", ByteSize(MinDigestBytes), d.MaxBytes)
	}
	if len(d.To) > 0 && d.Dir == "" && c.SMTP.Host == "" {
		add("digest.to", "recipients but no way to deliver: set smtp.host to send the digest, or digest.dir to write it as .eml files")
	}

	s := c.SMTP
	if s.Host != "" {
		if strings.ContainsAny(s.Host, " /@") {
			add("smtp.host", "want a host name or address, not %q", s.Host)
		} else if _, port, err := net.SplitHostPort(s.Host); err == nil && port != "" {
			add("smtp.host", "give the port in smtp.port, not in the host")
		}
	}
	if s.Port < 1 || s.Port > 65535 {
		add("smtp.port", "want a port from 1 to 65535, not %d", s.Port)
	}
	switch s.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		add("smtp.tls", "want starttls, tls or none, not %q", s.TLS)
	}
	if s.Port == 465 && s.TLS == TLSStartTLS {
		add("smtp.port", "465 speaks implicit TLS: set smtp.tls to tls (or use port 587 with starttls)")
	}
	if s.TLS == TLSNone && s.PasswordEnv != "" && s.Host != "" && !isLoopback(s.Host) {
		add("smtp.tls", "none would send the password in clear text to %s: use starttls or tls", s.Host)
	}
	positive("smtp.timeout", int64(s.Timeout), s.Timeout.String())
	if s.PasswordEnv != "" && !envNameRE.MatchString(s.PasswordEnv) {
		add("smtp.password_env", "want the name of an environment variable (like STET_SMTP_PASSWORD), not the password itself")
	}

	h := c.HTTP
	if h.TokenEnv != "" && !envNameRE.MatchString(h.TokenEnv) {
		add("http.token_env", "want the name of an environment variable (like STET_HTTP_TOKEN), not the token itself")
	}
	if h.Listen != "" {
		host, port, err := net.SplitHostPort(h.Listen)
		if err != nil {
			add("http.listen", "want host:port like 127.0.0.1:8080, not %q", h.Listen)
		} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			add("http.listen", "bad port %q in %q", port, h.Listen)
		} else if !isLoopback(host) && h.TokenEnv == "" {
			add("http.listen", "%q is reachable from other machines: set http.token_env (the variable holding a bearer token), or listen on 127.0.0.1", h.Listen)
		}
	}

	if h.BaseURL != "" {
		if msg := checkBaseURL(h.BaseURL); msg != "" {
			add("http.base_url", "%s", msg)
		}
	}

	f := c.Fetch
	positive("fetch.workers", int64(f.Workers), strconv.Itoa(f.Workers))
	positive("fetch.per_host", int64(f.PerHost), strconv.Itoa(f.PerHost))
	positive("fetch.max_body", int64(f.MaxBody), f.MaxBody.String())
	positive("fetch.timeout", int64(f.Timeout), f.Timeout.String())
	positive("fetch.connect_timeout", int64(f.ConnectTimeout), f.ConnectTimeout.String())
	positive("fetch.header_timeout", int64(f.HeaderTimeout), f.HeaderTimeout.String())
	positive("fetch.max_items", int64(f.MaxItems), strconv.Itoa(f.MaxItems))
	for i, e := range f.Allow {
		if msg := checkAllowEntry(e); msg != "" {
			add(fmt.Sprintf("fetch.allow[%d]", i), "%s", msg)
		}
	}
	if strings.ContainsFunc(f.UserAgent, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		add("fetch.user_agent", "must not hold control characters")
	}

	r := c.Recheck
	for i, t := range r.Tiers {
		p := fmt.Sprintf("recheck.tiers[%d]", i)
		positive(p+".until", int64(t.Until), t.Until.String())
		positive(p+".every", int64(t.Every), t.Every.String())
		if i > 0 && t.Until <= r.Tiers[i-1].Until {
			add(p+".until", "tiers go by increasing age: %s is not after recheck.tiers[%d].until (%s)", t.Until, i-1, r.Tiers[i-1].Until)
		}
	}
	if len(r.Tiers) > 0 {
		positive("recheck.max_age", int64(r.MaxAge), r.MaxAge.String())
		if r.Budget <= 0 {
			add("recheck.budget", "must be more than 0, not %d (to turn rechecks off, set tiers: [])", r.Budget)
		}
	} else if r.Budget < 0 || r.MaxAge < 0 {
		add("recheck", "max_age and budget must not be negative")
	}

	if c.Retention.UnchangedDays < 0 {
		add("retention.unchanged_days", "must not be negative (0 keeps everything), not %d", c.Retention.UnchangedDays)
	}
	positive("cluster.lease", int64(c.Cluster.Lease), c.Cluster.Lease.String())
	if c.Cluster.Lease > Duration(MaxLease) {
		add("cluster.lease", "must be at most %s (a dead worker's feeds wait that long), not %s", Duration(MaxLease), c.Cluster.Lease)
	}
	return errs
}

// firstInFile gives each error the line of its key (or of the nearest
// enclosing key the file has) and returns the one earliest in the file.
func firstInFile(errs []*Error, lines map[string]int) *Error {
	var first *Error
	for _, e := range errs {
		e.Line = lineOf(e.Key, lines)
		if first == nil || e.Line > 0 && (first.Line == 0 || e.Line < first.Line) {
			first = e
		}
	}
	return first
}

func lineOf(key string, lines map[string]int) int {
	for key != "" {
		if l, ok := lines[key]; ok {
			return l
		}
		if strings.HasSuffix(key, "]") {
			key = key[:strings.LastIndexByte(key, '[')]
		} else if i := strings.LastIndexByte(key, '.'); i >= 0 {
			key = key[:i]
		} else {
			key = ""
		}
	}
	return 0
}

// cronRef is when schedules are checked to fire at all.
var cronRef = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// checkSchedule returns what is wrong with a cron expression, or "".
func checkSchedule(spec string) string {
	if strings.TrimSpace(spec) == "" {
		return "missing cron expression (like \"*/30 * * * *\" or \"@hourly\")"
	}
	if msg := checkCronSteps(spec); msg != "" {
		return fmt.Sprintf("bad cron expression %q: %s", spec, msg)
	}
	sched, err := cronParser.Parse(spec)
	if err != nil {
		return fmt.Sprintf("bad cron expression %q: %v", spec, err)
	}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(rest)); err == nil && d <= 0 {
			return fmt.Sprintf("bad cron expression %q: the interval must be positive", spec)
		}
	}
	if sched.Next(cronRef).IsZero() {
		return fmt.Sprintf("cron expression %q never fires", spec)
	}
	return ""
}

var cronFields = [...]struct {
	name string
	max  int
}{{"minute", 59}, {"hour", 23}, {"day of month", 31}, {"month", 12}, {"day of week", 6}}

// checkCronSteps refuses a step larger than its field ("*/61" minutes),
// which robfig/cron accepts and turns into "once an hour".
func checkCronSteps(spec string) string {
	fields := strings.Fields(spec)
	if len(fields) > 0 && strings.Contains(fields[0], "=") { // CRON_TZ=Zone
		fields = fields[1:]
	}
	if len(fields) != len(cronFields) {
		return ""
	}
	for i, f := range fields {
		for part := range strings.SplitSeq(f, ",") {
			_, step, ok := strings.Cut(part, "/")
			if !ok {
				continue
			}
			if n, err := strconv.Atoi(step); err == nil && n > cronFields[i].max {
				return fmt.Sprintf("step %d is larger than the %s field allows (%d)", n, cronFields[i].name, cronFields[i].max)
			}
		}
	}
	return ""
}

var hostNameRE = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$`)

// checkAllowEntry returns what is wrong with a fetch.allow entry, or "".
func checkAllowEntry(e string) string {
	e = strings.TrimSpace(e)
	if _, err := netip.ParsePrefix(e); err == nil {
		return ""
	}
	if _, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
		return ""
	}
	if hostNameRE.MatchString(e) && len(e) <= 253 {
		return ""
	}
	return fmt.Sprintf("want a network (10.0.0.0/8), an address (10.1.2.3) or a host name (intranet.example), not %q", e)
}

// checkBaseURL returns what is wrong with http.base_url, or "".
func checkBaseURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("bad URL %q", raw)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return fmt.Sprintf("want an absolute http:// or https:// URL like https://stet.example.org, not %q", raw)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return fmt.Sprintf("want scheme, host and an optional path only, not %q", raw)
	}
	return ""
}

// BaseURL returns http.base_url without a trailing slash; "" when unset.
func (c Config) BaseURL() string { return strings.TrimRight(c.HTTP.BaseURL, "/") }

// checkFeedURL returns what is wrong with a feed URL, or "".
func checkFeedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		var why error = err
		if ue, ok := err.(*url.Error); ok {
			why = ue.Err
		}
		return fmt.Sprintf("bad URL %q: %v", redactURL(raw), why)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "feed":
		return fmt.Sprintf("bad URL %q: write it with http:// or https:// instead of feed:", redactURL(raw))
	case "":
		return fmt.Sprintf("bad URL %q: want an absolute http:// or https:// URL", redactURL(raw))
	default:
		return fmt.Sprintf("bad URL %q: want http:// or https://, not %s:", redactURL(raw), u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Sprintf("bad URL %q: no host", redactURL(raw))
	}
	if _, has := u.User.Password(); has {
		return fmt.Sprintf("URL %q holds a password, which would show in logs, status and the database", redactURL(raw))
	}
	return ""
}

var userinfoRE = regexp.MustCompile(`(//[^/@:?#]*:)[^/@?#]*@`)

// redactURL hides the password of a URL's user information.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if _, has := u.User.Password(); !has {
			return raw
		}
		return u.Redacted()
	}
	return userinfoRE.ReplaceAllString(raw, "${1}xxxxx@")
}

// feedKey is the form of a feed URL in which duplicates are found: scheme
// and host in lower case, no default port, no fragment, no trailing slash.
func feedKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "80" && u.Scheme == "http" || port == "443" && u.Scheme == "https" {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u.String()
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	host, _, _ = strings.Cut(host, "%") // IPv6 zone
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// trimMailErr drops net/mail's "mail: " prefix.
func trimMailErr(err error) string { return strings.TrimPrefix(err.Error(), "mail: ") }
