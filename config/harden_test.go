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
