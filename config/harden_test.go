package config

import (
	"strings"
	"testing"
)

// A listen address other than loopback never serves without a token of at
// least MinTokenBytes bytes: a missing, empty or short one is refused,
// naming the variable.
func TestCheckSecretsRefusesAMissingOrShortToken(t *testing.T) {
	long := strings.Repeat("k", MinTokenBytes)
	tests := []struct {
		name, listen, tokenEnv, token string
		wantErr                       string // "" = accepted
	}{
		{"loopback without token", "127.0.0.1:8080", "", "", ""},
		{"localhost with unset variable", "localhost:8080", "STET_TOK", "", ""},
		{"public, variable unset", "0.0.0.0:8080", "STET_TOK", "", "STET_TOK is not set or empty"},
		{"public, variable blank", "[::]:8080", "STET_TOK", "   ", "STET_TOK is not set or empty"},
		{"public, short token", "0.0.0.0:8080", "STET_TOK", "short-token", "STET_TOK holds 11 bytes"},
		{"public, no token_env", ":8080", "", "", "http.token_env"},
		{"public, long token", "0.0.0.0:8080", "STET_TOK", long, ""},
		{"no listen", "", "STET_TOK", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.HTTP.Listen, c.HTTP.TokenEnv = tt.listen, tt.tokenEnv
			getenv := func(k string) string {
				if k == "STET_TOK" && tt.token != "" {
					return tt.token
				}
				return ""
			}
			if tt.token == "   " {
				getenv = func(string) string { return "" }
			}
			err := c.CheckSecrets(getenv)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want accepted", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("accepted, want an error with %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("got %q, want it to say %q", err, tt.wantErr)
			case err != nil && !strings.Contains(err.Error(), "http.token_env"):
				t.Fatalf("got %q, want it to name http.token_env", err)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		doc, want string // want: the error, "" = accepted
	}{
		{"http:\n  base_url: https://stet.example.org/\n", ""},
		{"http:\n  base_url: https://example.org/stet\n", ""},
		{"http:\n  base_url: stet.example.org\n", `config: line 2: http.base_url: want an absolute http:// or https:// URL like https://stet.example.org, not "stet.example.org"`},
		{"http:\n  base_url: https://example.org/?a=b\n", `config: line 2: http.base_url: want scheme, host and an optional path only, not "https://example.org/?a=b"`},
	}
	for _, tt := range tests {
		c, err := Parse(strings.NewReader(tt.doc))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.doc, got, tt.want)
		}
		if err == nil && strings.HasSuffix(c.BaseURL(), "/") {
			t.Errorf("BaseURL() = %q keeps the trailing slash", c.BaseURL())
		}
	}
}

func TestFetchAllow(t *testing.T) {
	c, err := Parse(strings.NewReader("fetch:\n  allow: [10.0.0.0/8, 192.168.1.7, \"fd00::/8\", intranet.example]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Fetch.AllowList(); len(got) != 4 || len(c.Deprecations()) != 0 {
		t.Errorf("allow list %v, deprecations %v", got, c.Deprecations())
	}
	_, err = Parse(strings.NewReader("fetch:\n  allow:\n    - 10.0.0.0/8\n    - http://intranet/\n"))
	if want := `config: line 4: fetch.allow[1]: want a network (10.0.0.0/8), an address (10.1.2.3) or a host name (intranet.example), not "http://intranet/"`; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	// The old key still loads, standing for the private networks only,
	// with a warning naming its replacement.
	c, err = Parse(strings.NewReader("fetch:\n  allow_private: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Fetch.AllowList()
	if !slicesContain(got, "10.0.0.0/8") || slicesContain(got, "169.254.0.0/16") {
		t.Errorf("allow_private stands for %v", got)
	}
	if d := c.Deprecations(); len(d) != 1 || !strings.Contains(d[0], "fetch.allow") {
		t.Errorf("deprecations %v", d)
	}
}

func slicesContain(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
