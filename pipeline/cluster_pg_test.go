package pipeline

import "testing"

// pgDatabase is the URL of a fresh PostgreSQL database, or skips.
func pgDatabase(t *testing.T) string {
	t.Helper()
	t.Skip("no PostgreSQL store on this branch yet")
	return ""
}
