package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A listen address other than loopback with the token variable unset,
// empty or short: `stet run` refuses to start and `stet check` says why,
// both naming the variable.
func TestPublicListenWithoutTokenRefusesToStart(t *testing.T) {
	for _, token := range []string{"", "short"} {
		dir := t.TempDir()
		cfg := writeConfig(t, dir, fmt.Sprintf("database: %s\nhttp: {listen: \"0.0.0.0:0\", token_env: STET_TOK}\nfeeds:\n  - url: http://127.0.0.1:1/feed\n",
			filepath.Join(dir, "stet.db")))
		for _, cmd := range []string{"run", "check"} {
			t.Run(cmd+" token="+token, func(t *testing.T) {
				te := newTestEnv()
				te.Env.Getenv = func(k string) string {
					if k == "STET_TOK" {
						return token
					}
					return ""
				}
				// Before the fix `run` served everything; the deadline ends it.
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				code := Run(ctx, te.Env, []string{cmd, "--config", cfg})
				if code == 0 {
					t.Fatalf("exit 0, want a refusal (stderr %q)", te.stderr.String())
				}
				if errOut := te.stderr.String(); !strings.Contains(errOut, "STET_TOK") || !strings.Contains(errOut, "http.token_env") {
					t.Errorf("stderr %q: want it to name STET_TOK and http.token_env", errOut)
				}
			})
		}
	}
}
