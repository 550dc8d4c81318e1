package pipeline

import (
	"testing"

	"github.com/stet-news/stet/internal/testpg"
)

// pgDatabase is the URL of a fresh PostgreSQL database, or skips.
func pgDatabase(t *testing.T) string {
	t.Helper()
	return testpg.URL(t)
}
