package config

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestDefault(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	c := Default()
	if got, want := c.Database, "/data/stet/stet.db"; got != want {
		t.Errorf("Database = %q, want %q", got, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"schedule", c.Schedule, "*/30 * * * *"},
		{"digest.schedule", c.Digest.Schedule, "0 7 * * *"},
		{"smtp.port", c.SMTP.Port, 587},
		{"smtp.tls", c.SMTP.TLS, "starttls"},
		{"smtp.timeout", time.Duration(c.SMTP.Timeout), 30 * time.Second},
		{"fetch.workers", c.Fetch.Workers, 8},
		{"fetch.per_host", c.Fetch.PerHost, 2},
		{"fetch.max_body", int64(c.Fetch.MaxBody), int64(20 << 20)},
		{"fetch.timeout", time.Duration(c.Fetch.Timeout), 60 * time.Second},
		{"fetch.connect_timeout", time.Duration(c.Fetch.ConnectTimeout), 10 * time.Second},
		{"fetch.header_timeout", time.Duration(c.Fetch.HeaderTimeout), 20 * time.Second},
		{"fetch.max_items", c.Fetch.MaxItems, 1000},
		{"recheck.tiers", c.Recheck.Tiers, []Tier{
			{Duration(6 * time.Hour), Duration(30 * time.Minute)},
			{Duration(24 * time.Hour), Duration(time.Hour)},
			{Duration(7 * 24 * time.Hour), Duration(6 * time.Hour)},
			{Duration(30 * 24 * time.Hour), Duration(24 * time.Hour)},
		}},
		{"recheck.max_age", time.Duration(c.Recheck.MaxAge), 720 * time.Hour},
		{"recheck.budget", c.Recheck.Budget, 200},
		{"retention.unchanged_days", c.Retention.UnchangedDays, 0},
		{"cluster.lease", time.Duration(c.Cluster.Lease), 30 * time.Second},
	}
	for _, tc := range checks {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

func TestDefaultDatabase(t *testing.T) {
	home := func() (string, error) { return "/home/ana", nil }
	noHome := func() (string, error) { return "", errors.New("no home") }
	tests := []struct {
		xdg  string
		home func() (string, error)
		want string
	}{
		{"/srv/data", home, "/srv/data/stet/stet.db"},
		{"", home, "/home/ana/.local/share/stet/stet.db"},
		{"relative/dir", home, "/home/ana/.local/share/stet/stet.db"}, // the XDG spec ignores relative paths
		{"", noHome, "stet.db"},
	}
	for _, tc := range tests {
		getenv := func(k string) string {
			if k == "XDG_DATA_HOME" {
				return tc.xdg
			}
			return ""
		}
		if got := defaultDatabase(getenv, tc.home); got != tc.want {
			t.Errorf("XDG_DATA_HOME=%q: got %q, want %q", tc.xdg, got, tc.want)
		}
	}
}

func TestParseEmptyIsDefault(t *testing.T) {
	for _, doc := range []string{"", "\n", "# only a comment\n", "---\n", "~\n"} {
		c, err := Parse(strings.NewReader(doc))
		if err != nil {
			t.Fatalf("Parse(%q): %v", doc, err)
		}
		if !reflect.DeepEqual(c, Default()) {
			t.Errorf("Parse(%q) = %+v, want Default()", doc, c)
		}
	}
}

// TestParseRefusals: every refusal names its key and its line.
func TestParseRefusals(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string // the whole message
	}{
		{"unknown key", "database: x.db\n\nschedul: \"@hourly\"\n",
			`config: line 3: unknown key "schedul" (did you mean "schedule"?)`},
		{"unknown nested key", "digest:\n  from: a@example.com\n  too: [b@example.com]\n",
			`config: line 3: digest: unknown key "too" (did you mean "to"?)`},
		{"key at the wrong level", "host: smtp.example.com\n",
			`config: line 1: unknown key "host" (did you mean "smtp.host"?)`},
		{"unknown feed key", "feeds:\n  - url: https://example.com/rss\n    fulltext: true\n",
			`config: line 3: feeds[0]: unknown key "fulltext" (did you mean "full_text"?)`},
		{"bad cron step", "feeds:\n  - url: https://a.example/rss\n  - url: https://b.example/rss\n  - url: https://c.example/rss\n    name: C\n\n    schedule: \"*/61 * * * *\"\n",
			`config: line 7: feeds[2].schedule: bad cron expression "*/61 * * * *": step 61 is larger than the minute field allows (59)`},
		{"bad cron range", "schedule: \"0-70 * * * *\"\n",
			`config: line 1: schedule: bad cron expression "0-70 * * * *": end of range (70) above maximum (59): 0-70`},
		{"six cron fields", "digest:\n  schedule: \"0 0 7 * * *\"\n",
			`config: line 2: digest.schedule: bad cron expression "0 0 7 * * *": expected exactly 5 fields, found 6: [0 0 7 * * *]`},
		{"cron that never fires", "schedule: \"0 0 30 2 *\"\n",
			`config: line 1: schedule: cron expression "0 0 30 2 *" never fires`},
		{"negative every", "schedule: \"@every -5m\"\n",
			`config: line 1: schedule: bad cron expression "@every -5m": the interval must be positive`},
		{"bad descriptor", "schedule: \"@fortnightly\"\n",
			`config: line 1: schedule: bad cron expression "@fortnightly": unrecognized descriptor: @fortnightly`},
		{"zone in digest schedule", "digest:\n  schedule: \"CRON_TZ=Europe/Berlin 0 7 * * *\"\n",
			`config: line 2: digest.schedule: give the time zone in digest.timezone, not in the cron expression`},
		{"empty schedule", "schedule: \"\"\n",
			`config: line 1: schedule: missing cron expression (like "*/30 * * * *" or "@hourly")`},
		{"unquoted cron", "database: x.db\nschedule: */30 * * * *\n",
			`config: line 2: did not find expected alphabetic or numeric character (a value that starts with @ or * must be quoted: schedule: "*/30 * * * *")`},
		{"unquoted descriptor on line 1", "schedule: @hourly\n",
			`config: line 1: found character that cannot start any token (a value that starts with @ or * must be quoted: schedule: "*/30 * * * *")`},
		{"tab indent", "feeds:\n\t- url: https://example.com/rss\n",
			`config: line 2: found character that cannot start any token (indent with spaces, not tabs)`},
		{"bad indentation", "digest:\n  from: a@example.com\n to: b@example.com\n",
			`config: line 2: did not find expected key`},
		{"relative url", "feeds:\n  - url: /rss.xml\n",
			`config: line 2: feeds[0].url: bad URL "/rss.xml": want an absolute http:// or https:// URL`},
		{"ftp url", "feeds:\n  - url: ftp://example.com/rss.xml\n",
			`config: line 2: feeds[0].url: bad URL "ftp://example.com/rss.xml": want http:// or https://, not ftp:`},
		{"feed scheme", "feeds:\n  - url: feed://example.com/rss.xml\n",
			`config: line 2: feeds[0].url: bad URL "feed://example.com/rss.xml": write it with http:// or https:// instead of feed:`},
		{"no host", "feeds:\n  - url: \"https:///rss.xml\"\n",
			`config: line 2: feeds[0].url: bad URL "https:///rss.xml": no host`},
		{"unparseable url", "feeds:\n  - url: \"http://exa mple.com/\"\n",
			`config: line 2: feeds[0].url: bad URL "http://exa mple.com/": invalid character " " in host name`},
		{"missing url", "feeds:\n  - name: Nothing\n",
			`config: line 2: feeds[0].url: missing: every feed needs its url`},
		{"empty feed entry", "feeds:\n  -\n  - url: https://example.com/\n",
			`config: line 2: feeds[0]: empty entry`},
		{"password in url", "feeds:\n  - url: https://ana:hunter2@example.com/private.rss\n",
			`config: line 2: feeds[0].url: URL "https://ana:xxxxx@example.com/private.rss" holds a password, which would show in logs, status and the database`},
		{"duplicate feed", "feeds:\n  - url: https://example.com/rss\n  - url: HTTPS://Example.COM:443/rss/\n",
			`config: line 3: feeds[1].url: "HTTPS://Example.COM:443/rss/" is already watched as feeds[0]`},
		{"duplicate feed given by url alone", "feeds:\n  - https://example.com/\n  - https://example.com\n",
			`config: line 3: feeds[1].url: "https://example.com" is already watched as feeds[0]`},
		{"smtp password", "smtp:\n  host: smtp.example.com\n  password: hunter2\n",
			`config: line 3: smtp.password: secrets are never read from the config file: put it in an environment variable and give that variable's name in smtp.password_env (password_env: STET_SMTP_PASSWORD)`},
		{"http token", "http:\n  listen: 127.0.0.1:8080\n  token: s3cret\n",
			`config: line 3: http.token: secrets are never read from the config file: put it in an environment variable and give that variable's name in http.token_env`},
		{"top-level password", "password: hunter2\n",
			`config: line 1: password: secrets are never read from the config file: put it in an environment variable`},
		{"password in password_env", "smtp:\n  host: smtp.example.com\n  password_env: \"hunter2!\"\n",
			`config: line 3: smtp.password_env: want the name of an environment variable (like STET_SMTP_PASSWORD), not the password itself`},
		{"recipient without host", "digest:\n  from: stet@example.com\n  to:\n    - editor@example.com\n",
			`config: line 3: digest.to: recipients but no way to deliver: set smtp.host to send the digest, or digest.dir to write it as .eml files`},
		{"recipient without sender", "smtp:\n  host: smtp.example.com\ndigest:\n  to: [editor@example.com]\n",
			`config: line 3: digest.from: missing: the digest's sender address is needed when digest.to is set`},
		{"bad recipient", "smtp:\n  host: smtp.example.com\ndigest:\n  from: stet@example.com\n  to:\n    - editor@example.com\n    - \"desk@example.com, chief@example.com\"\n",
			`config: line 7: digest.to[1]: bad address "desk@example.com, chief@example.com": expected single address, got ", chief@example.com" (one address per list entry)`},
		{"bad sender", "digest:\n  from: stet at example.com\n",
			`config: line 2: digest.from: bad address "stet at example.com": no angle-addr`},
		{"bad timezone", "digest:\n  timezone: Europe/Berln\n",
			`config: line 2: digest.timezone: unknown time zone "Europe/Berln" (want an IANA name like Europe/Berlin)`},
		{"bad tls", "smtp:\n  tls: ssl\n",
			`config: line 2: smtp.tls: want starttls, tls or none, not "ssl"`},
		{"465 with starttls", "smtp:\n  host: smtp.example.com\n  port: 465\n",
			`config: line 3: smtp.port: 465 speaks implicit TLS: set smtp.tls to tls (or use port 587 with starttls)`},
		{"zero smtp timeout", "smtp:\n  timeout: 0s\n",
			`config: line 2: smtp.timeout: must be more than 0, not 0s`},
		{"token in token_env", "http:\n  listen: 0.0.0.0:8080\n  token_env: \"Bearer s3cret\"\n",
			`config: line 3: http.token_env: want the name of an environment variable (like STET_HTTP_TOKEN), not the token itself`},
		{"bad listen port", "http:\n  listen: 127.0.0.1:http-alt\n",
			`config: line 2: http.listen: bad port "http-alt" in "127.0.0.1:http-alt"`},
		{"zero max_age", "recheck:\n  max_age: 0s\n",
			`config: line 2: recheck.max_age: must be more than 0, not 0s`},
		{"negative tier every", "recheck:\n  tiers:\n    - {until: 6h, every: -1h}\n",
			`config: line 3: recheck.tiers[0].every: must be more than 0, not -1h`},
		{"clear-text password", "smtp:\n  host: smtp.example.com\n  password_env: PW\n  tls: none\n",
			`config: line 4: smtp.tls: none would send the password in clear text to smtp.example.com: use starttls or tls`},
		{"port out of range", "smtp:\n  port: 70000\n",
			`config: line 2: smtp.port: want a port from 1 to 65535, not 70000`},
		{"port not a number", "smtp:\n  port: twenty-five\n",
			`config: line 2: smtp.port: want a whole number, got "twenty-five"`},
		{"port in host", "smtp:\n  host: smtp.example.com:587\n",
			`config: line 2: smtp.host: give the port in smtp.port, not in the host`},
		{"public listen without token", "http:\n  listen: \":8080\"\n",
			`config: line 2: http.listen: ":8080" is reachable from other machines: set http.token_env (the variable holding a bearer token), or listen on 127.0.0.1`},
		{"bad listen", "http:\n  listen: localhost\n",
			`config: line 2: http.listen: want host:port like 127.0.0.1:8080, not "localhost"`},
		{"zero workers", "fetch:\n  workers: 0\n",
			`config: line 2: fetch.workers: must be more than 0, not 0`},
		{"negative per_host", "fetch:\n  per_host: -1\n",
			`config: line 2: fetch.per_host: must be more than 0, not -1`},
		{"zero max_items", "fetch:\n  max_items: 0\n",
			`config: line 2: fetch.max_items: must be more than 0, not 0`},
		{"bad size", "fetch:\n  max_body: 20 parsecs\n",
			`config: line 2: fetch.max_body: bad size "20 parsecs": unknown unit "parsecs" (want forms like 1048576, 512KB or 20MiB)`},
		{"zero size", "fetch:\n  max_body: 0\n",
			`config: line 2: fetch.max_body: must be more than 0, not 0`},
		{"duration without unit", "fetch:\n  timeout: 30\n",
			`config: line 2: fetch.timeout: bad duration "30": missing unit (want forms like 90s, 10m, 6h or 7d)`},
		{"duration bad unit", "smtp:\n  timeout: 3 weeks\n",
			`config: line 2: smtp.timeout: bad duration "3 weeks": no space between number and unit (want forms like 90s, 10m, 6h or 7d)`},
		{"zero timeout", "fetch:\n  connect_timeout: 0s\n",
			`config: line 2: fetch.connect_timeout: must be more than 0, not 0s`},
		{"user agent with newline", "fetch:\n  user_agent: \"stet\\r\\nX-Evil: 1\"\n",
			`config: line 2: fetch.user_agent: must not hold control characters`},
		{"tiers not increasing", "recheck:\n  tiers:\n    - {until: 6h, every: 30m}\n    - {until: 2h, every: 1h}\n",
			`config: line 4: recheck.tiers[1].until: tiers go by increasing age: 2h is not after recheck.tiers[0].until (6h)`},
		{"tier without every", "recheck:\n  tiers:\n    - until: 6h\n",
			`config: line 3: recheck.tiers[0].every: must be more than 0, not 0s`},
		{"zero budget", "recheck:\n  budget: 0\n",
			`config: line 2: recheck.budget: must be more than 0, not 0 (to turn rechecks off, set tiers: [])`},
		{"negative retention", "retention:\n  unchanged_days: -3\n",
			`config: line 2: retention.unchanged_days: must not be negative (0 keeps everything), not -3`},
		{"zero lease", "database: a.db\ncluster:\n  lease: 0s\n",
			`config: line 3: cluster.lease: must be more than 0, not 0s`},
		{"long lease", "database: a.db\ncluster:\n  lease: 6m\n",
			`config: line 3: cluster.lease: must be at most 5m (a dead worker's feeds wait that long), not 6m`},
		{"lease not a duration", "cluster:\n  lease: soon\n",
			`config: line 2: cluster.lease: bad duration "soon": expected a number (want forms like 90s, 10m, 6h or 7d)`},
		{"empty database", "database: \"\"\n",
			`config: line 1: database: missing: the path of the SQLite file`},
		{"repeated key", "database: a.db\nschedule: \"@hourly\"\ndatabase: b.db\n",
			`config: line 3: database: given twice (first on line 1)`},
		{"list for a string", "database: [a.db]\n",
			`config: line 1: database: want text, got a list`},
		{"string for a list", "feeds:\n  url: https://example.com/rss\n",
			`config: line 2: feeds: want a list, got a mapping`},
		{"mapping for a bool", "feeds:\n  - url: https://example.com/rss\n    full_text: {yes: 1}\n",
			`config: line 3: feeds[0].full_text: want true or false, got a mapping`},
		{"not a bool", "digest:\n  send_empty: sometimes\n",
			`config: line 2: digest.send_empty: want true or false, got "sometimes"`},
		{"top level list", "- https://example.com/rss\n",
			`config: line 1: want a mapping of keys (database:, feeds:, ...), got a list`},
		{"two documents", "database: a.db\n---\ndatabase: b.db\n",
			`config: line 2: a second YAML document (after "---"): put everything in one`},
		{"merge key", "fetch:\n  <<: {workers: 2}\n",
			`config: line 2: fetch: merge keys ("<<") are not supported: write the keys out`},
		{"dangling alias", "database: *nowhere\n",
			`config: line 1: unknown anchor 'nowhere' referenced (a value that starts with * must be quoted: schedule: "*/30 * * * *")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tc.doc)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, want *Error", err)
			}
			if e.Line == 0 {
				t.Errorf("no line in %v", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("message is not one line: %q", err)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("message shows the secret: %v", err)
			}
		})
	}
}

// TestParseFirstErrorInFile: of several problems, the one earliest in the
// file is reported.
func TestParseFirstErrorInFile(t *testing.T) {
	doc := "fetch:\n  workers: 0\nschedule: \"61 * * * *\"\n"
	_, err := Parse(strings.NewReader(doc))
	want := `config: line 2: fetch.workers: must be more than 0, not 0`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestParseOverlay(t *testing.T) {
	doc := `
database: /var/lib/stet/stet.db
feeds:
  - url: https://example.com/rss.xml
    name: Example News
    schedule: "@every 10m"
    full_text: yes
  - https://example.org/atom.xml
digest:
  from: stet@example.com
  to: editor@example.com
  dir: /var/lib/stet/digests
  timezone:
fetch:
  max_body: 512KB
  timeout: 2m
  workers: "4"
recheck:
  tiers:
    - {until: 1d, every: 2h}
  max_age: 1d12h
`
	c, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Database = "/var/lib/stet/stet.db"
	want.Feeds = []Feed{
		{URL: "https://example.com/rss.xml", Name: "Example News", Schedule: "@every 10m", FullText: true},
		{URL: "https://example.org/atom.xml"},
	}
	want.Digest.From = "stet@example.com"
	want.Digest.To = []string{"editor@example.com"}
	want.Digest.Dir = "/var/lib/stet/digests"
	want.Fetch.MaxBody = 512000
	want.Fetch.Timeout = Duration(2 * time.Minute)
	want.Fetch.Workers = 4
	want.Recheck.Tiers = []Tier{{Until: Duration(24 * time.Hour), Every: Duration(2 * time.Hour)}}
	want.Recheck.MaxAge = Duration(36 * time.Hour)
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if got := c.FeedSchedule(c.Feeds[0]); got != "@every 10m" {
		t.Errorf("FeedSchedule(feeds[0]) = %q", got)
	}
	if got := c.FeedSchedule(c.Feeds[1]); got != "*/30 * * * *" {
		t.Errorf("FeedSchedule(feeds[1]) = %q", got)
	}
}

func TestParseAnchors(t *testing.T) {
	doc := `
feeds:
  - &every-hour {url: https://a.example/rss, schedule: "@hourly"}
  - {url: https://b.example/rss, schedule: "@hourly"}
digest:
  from: &me stet@example.com
  to: [*me]
  dir: out
`
	c, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Digest.To; len(got) != 1 || got[0] != "stet@example.com" {
		t.Errorf("digest.to = %q", got)
	}
}

// TestDefaultRoundTrip: a configuration written by yaml.Marshal parses back
// to itself, so Duration and ByteSize print what they read.
func TestDefaultRoundTrip(t *testing.T) {
	c := Default()
	c.Feeds = []Feed{{URL: "https://example.com/rss", Name: "Ex: ample # news", FullText: true}}
	c.Fetch.MaxBody = 1234567
	c.SMTP.Timeout = Duration(90 * time.Second)
	b, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip:\n%s\ngot  %+v\nwant %+v", b, got, c)
	}
}

func TestExampleConfig(t *testing.T) {
	c, err := Load(filepath.Join("..", "deploy", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != "/var/lib/stet/stet.db" {
		t.Errorf("database = %q, want /var/lib/stet/stet.db (the unit's StateDirectory)", c.Database)
	}
	if len(c.Feeds) != 3 || !c.Feeds[0].FullText || c.Feeds[2].URL != "https://example.net/feed.json" {
		t.Errorf("feeds = %+v", c.Feeds)
	}
	if c.SMTP.PasswordEnv != "STET_SMTP_PASSWORD" || c.SMTP.Host == "" || len(c.Digest.To) != 2 {
		t.Errorf("smtp = %+v, digest = %+v", c.SMTP, c.Digest)
	}
	// Every key of Config appears in the example, so it documents them all.
	b, err := os.ReadFile(filepath.Join("..", "deploy", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range allKeys() {
		leaf := k[strings.LastIndexAny(k, ".]")+1:]
		if !strings.Contains(string(b), leaf+":") {
			t.Errorf("the example does not show %s", k)
		}
	}
	// The defaults it states are the defaults.
	d := Default()
	c.Database, d.Database = "", ""
	c.Feeds, c.Digest, c.SMTP, c.HTTP = nil, d.Digest, d.SMTP, d.HTTP
	if !reflect.DeepEqual(c, d) {
		t.Errorf("example's fetch/recheck/retention differ from Default():\n got %+v\nwant %+v", c, d)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("feeds:\n  - url: gopher://x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := "config: " + path + `: line 2: feeds[0].url: bad URL "gopher://x": want http:// or https://, not gopher:`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestAddURLs(t *testing.T) {
	c, err := Parse(strings.NewReader("feeds:\n  - url: https://example.com/rss\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddURLs([]string{"https://example.org/atom.xml", "http://example.net/feed"}); err != nil {
		t.Fatal(err)
	}
	if len(c.Feeds) != 3 || c.Feeds[2] != (Feed{URL: "http://example.net/feed"}) {
		t.Errorf("feeds = %+v", c.Feeds)
	}
	refusals := []struct {
		urls []string
		want string
	}{
		{[]string{"example.com/rss"}, `config: argument "example.com/rss": bad URL "example.com/rss": want an absolute http:// or https:// URL`},
		{[]string{"https://EXAMPLE.com/rss/"}, `config: argument "https://EXAMPLE.com/rss/": duplicate of feeds[0].url "https://example.com/rss"`},
		{[]string{"https://new.example/", "https://new.example"}, `config: argument "https://new.example": given twice`},
		{[]string{"https://u:pw@new.example/"}, `config: argument "https://u:xxxxx@new.example/": URL "https://u:xxxxx@new.example/" holds a password, which would show in logs, status and the database`},
	}
	for _, tc := range refusals {
		before := len(c.Feeds)
		err := c.AddURLs(tc.urls)
		if err == nil || err.Error() != tc.want {
			t.Errorf("AddURLs(%q):\ngot  %v\nwant %s", tc.urls, err, tc.want)
		}
		if len(c.Feeds) != before {
			t.Errorf("AddURLs(%q) changed the feeds after refusing", tc.urls)
		}
	}
	// Without a file: Default plus arguments.
	d := Default()
	if err := d.AddURLs([]string{"https://example.com/rss"}); err != nil || len(d.Feeds) != 1 {
		t.Errorf("Default().AddURLs: %v, %+v", err, d.Feeds)
	}
}

func TestLocation(t *testing.T) {
	c := Default()
	if loc, err := c.Location(); err != nil || loc != time.Local {
		t.Errorf("no timezone: %v, %v; want time.Local", loc, err)
	}
	c.Digest.Timezone = "Europe/Berlin"
	if loc, err := c.Location(); err != nil || loc.String() != "Europe/Berlin" {
		t.Errorf("Europe/Berlin: %v, %v", loc, err)
	}
	c.Digest.Timezone = "Mars/Olympus"
	if _, err := c.Location(); err == nil || !strings.Contains(err.Error(), "digest.timezone") {
		t.Errorf("bad zone: %v", err)
	}
}

func TestPasswordAndToken(t *testing.T) {
	env := map[string]string{"STET_SMTP_PASSWORD": "pw", "STET_TOKEN": "tok"}
	getenv := func(k string) string { return env[k] }
	c := Default()
	if got := c.Password(getenv); got != "" {
		t.Errorf("no password_env: Password = %q", got)
	}
	c.SMTP.PasswordEnv = "STET_SMTP_PASSWORD"
	c.HTTP.TokenEnv = "STET_TOKEN"
	if got := c.Password(getenv); got != "pw" {
		t.Errorf("Password = %q, want pw", got)
	}
	if got := c.Token(getenv); got != "tok" {
		t.Errorf("Token = %q, want tok", got)
	}
}

func TestCheckPermissions(t *testing.T) {
	dir := t.TempDir()
	withSecret := "smtp:\n  host: smtp.example.com\n  password_env: STET_SMTP_PASSWORD\n"
	tests := []struct {
		name string
		doc  string
		mode os.FileMode
		want string // substring; "" means no warning
	}{
		{"private", withSecret, 0o600, ""},
		{"owner read only", withSecret, 0o400, ""},
		{"world readable", withSecret, 0o644, "is readable by its group and other users (mode 0644) and sets smtp.password_env: restrict it with chmod 600"},
		{"group readable", withSecret, 0o640, "is readable by its group (mode 0640)"},
		{"world writable", withSecret, 0o602, "is writable by other users (mode 0602)"},
		{"token", "http:\n  listen: 0.0.0.0:8080\n  token_env: STET_TOKEN\n", 0o644, "sets http.token_env"},
		{"no secret named", "database: x.db\n", 0o644, ""},
		{"unparseable", "smtp: [\n", 0o644, ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.Repeat("c", i+1)+".yaml")
			if err := os.WriteFile(path, []byte(tc.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			got := CheckPermissions(path)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if got != "" && !strings.Contains(got, path) {
				t.Errorf("warning does not name the file: %q", got)
			}
		})
	}
	if got := CheckPermissions(filepath.Join(dir, "missing.yaml")); got != "" {
		t.Errorf("missing file: %q", got)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"30s", 30 * time.Second},
		{"1h30m", 90 * time.Minute},
		{"7d", 7 * 24 * time.Hour},
		{"30d", 720 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"1.5d", 36 * time.Hour},
		{"-2d", -48 * time.Hour},
		{"0", 0},
		{"250ms", 250 * time.Millisecond},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "30", "d", "7days", "1w", "1e3d", "1.2.3d", "999999999d", "9999999999h", "5 m"} {
		if got, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", bad, got)
		}
	}
	for _, d := range []time.Duration{0, 90 * time.Second, 6 * time.Hour, 720 * time.Hour, 36 * time.Hour, 1500 * time.Millisecond} {
		s := Duration(d).String()
		back, err := ParseDuration(s)
		if err != nil || back != d {
			t.Errorf("%v prints %q, which parses as %v, %v", d, s, back, err)
		}
	}
	if got := Duration(720 * time.Hour).String(); got != "30d" {
		t.Errorf("30 days print as %q", got)
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want ByteSize
	}{
		{"1048576", 1 << 20},
		{"20MiB", 20 << 20},
		{"20 MiB", 20 << 20},
		{"20mib", 20 << 20},
		{"512KB", 512000},
		{"512KiB", 512 << 10},
		{"1.5GiB", 3 << 29},
		{"2G", 2e9},
		{"100B", 100},
	}
	for _, tc := range tests {
		got, err := ParseByteSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseByteSize(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "-1", "MiB", "20 parsecs", "99999999999GiB", "1e6"} {
		if got, err := ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q) = %v, want an error", bad, got)
		}
	}
	for _, b := range []ByteSize{0, 1, 1000, 1024, 20 << 20, 3 << 30} {
		back, err := ParseByteSize(b.String())
		if err != nil || back != b {
			t.Errorf("%d prints %q, which parses as %v, %v", b, b.String(), back, err)
		}
	}
}

func TestFeedKey(t *testing.T) {
	same := [][2]string{
		{"https://example.com/rss", "HTTPS://EXAMPLE.COM/rss"},
		{"https://example.com/rss", "https://example.com/rss/"},
		{"https://example.com/rss", "https://example.com:443/rss"},
		{"http://example.com", "http://example.com:80/"},
		{"https://example.com/rss", "https://example.com/rss#top"},
	}
	for _, p := range same {
		if feedKey(p[0]) != feedKey(p[1]) {
			t.Errorf("%q and %q should be one feed", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"https://example.com/rss", "https://example.com/RSS"},
		{"https://example.com/rss?x=1", "https://example.com/rss?x=2"},
		{"https://example.com:8443/rss", "https://example.com/rss"},
		{"http://example.com/rss", "https://example.com/rss"},
	}
	for _, p := range differ {
		if feedKey(p[0]) == feedKey(p[1]) {
			t.Errorf("%q and %q should be two feeds", p[0], p[1])
		}
	}
}

// TestServiceUnit runs deploy/verify.sh: systemd-analyze verify passes on
// the unit (the script skips when systemd-analyze is missing).
func TestServiceUnit(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	out, err := runScript(t, filepath.Join("..", "deploy", "verify.sh"))
	if err != nil {
		t.Fatalf("deploy/verify.sh: %v\n%s", err, out)
	}
	t.Logf("%s", out)

	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		return
	}
	// A misspelt setting is only a warning to systemd-analyze: the script
	// must still fail.
	unit, err := os.ReadFile(filepath.Join("..", "deploy", "stet.service"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "stet.service")
	broken := strings.Replace(string(unit), "Restart=on-failure", "Restart=on-failure\nRestartSecs=5", 1)
	if err := os.WriteFile(bad, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runScript(t, filepath.Join("..", "deploy", "verify.sh"), bad); err == nil {
		t.Errorf("verify.sh passed a unit with an unknown key:\n%s", out)
	}
}

// TestServiceUnitSettings holds the settings the service depends on, also
// where systemd-analyze is missing.
func TestServiceUnitSettings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "deploy", "stet.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, line := range []string{
		"ExecStart=/usr/local/bin/stet run --config %d/config.yaml",
		"LoadCredential=config.yaml:/etc/stet/config.yaml",
		"EnvironmentFile=-/etc/stet/env",
		"DynamicUser=yes",
		"StateDirectory=stet",
		"ProtectSystem=strict",
		"ProtectHome=yes",
		"NoNewPrivileges=yes",
		"PrivateTmp=yes",
		"Restart=on-failure",
		"WantedBy=multi-user.target",
	} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("deploy/stet.service lacks %q", line)
		}
	}
}

// TestParseAccepts: forms that must keep working.
func TestParseAccepts(t *testing.T) {
	for _, doc := range []string{
		"schedule: \"@hourly\"\n",
		"schedule: \"@every 10m\"\n",
		"schedule: \"@every 1s\"\n", // stet demo
		"schedule: \"0 7 * * MON-FRI\"\n",
		"schedule: \"*/59 0-23/2 1,15 */3 *\"\n",
		"feeds:\n  - url: https://example.com/rss\n    schedule: \"CRON_TZ=Europe/Berlin 0 7 * * *\"\n",
		"http:\n  listen: 127.0.0.1:8080\n",
		"http:\n  listen: localhost:8080\n",
		"http:\n  listen: \"[::1]:8080\"\n",
		"http:\n  listen: 0.0.0.0:8080\n  token_env: STET_HTTP_TOKEN\n",
		"digest:\n  from: stet <stet@example.com>\n  to: [Editor <editor@example.com>]\n  dir: /tmp/digests\n",
		"smtp:\n  host: 127.0.0.1\n  port: 25\n  tls: none\n  password_env: PW\n", // a local relay
		"smtp:\n  host: smtp.example.com\n  port: 465\n  tls: tls\n",
		"feeds:\n  - url: http://[2001:db8::1]:8080/rss\n  - url: https://user@example.com/rss\n",
		"recheck:\n  tiers: []\n  budget: 0\n", // rechecks off
		"retention:\n  unchanged_days: 90\n",
		"database: postgres://stet@db.example:5432/stet\ncluster:\n  lease: 10s\n",
		"cluster:\n  lease: 5m\n",
		"fetch:\n  allow_private: true\n  max_body: 1GiB\n  user_agent: \"stet/1.0 (+https://example.com/bot)\"\n",
	} {
		if _, err := Parse(strings.NewReader(doc)); err != nil {
			t.Errorf("Parse refused:\n%s%v", doc, err)
		}
	}
}
