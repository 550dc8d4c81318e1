package feeds

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

const realFeedsDir = "../../shared/realfeeds/feeds"

// TestRealFeeds parses every real feed in the shared corpus: each either
// parses into items with non-empty keys unique within the feed, or is
// refused with a one-line error. None may panic.
func TestRealFeeds(t *testing.T) {
	entries, err := os.ReadDir(realFeedsDir)
	if err != nil {
		t.Skipf("real feeds not available: %v", err)
	}
	now := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	parsed, items := 0, 0
	reasons := map[string][]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(realFeedsDir, name))
			if err != nil {
				t.Fatal(err)
			}
			ct := "application/xml"
			if strings.HasSuffix(name, ".json") {
				ct = "application/json"
			}
			f, err := ParseWith(body, ct, "https://example.com/feeds/"+name, ParseOptions{Now: now})
			if err != nil {
				msg := err.Error()
				if strings.ContainsAny(msg, "\n\r") {
					t.Errorf("%s: error is not one line: %q", name, msg)
				}
				if !errors.Is(err, ErrNotFeed) && !errors.Is(err, ErrMalformed) {
					t.Errorf("%s: error wraps neither ErrNotFeed nor ErrMalformed: %v", name, err)
				}
				reasons[reasonOf(msg)] = append(reasons[reasonOf(msg)], name)
				return
			}
			parsed++
			items += len(f.Items)
			keys := map[string]bool{}
			for i, it := range f.Items {
				if it.Key == "" {
					t.Errorf("%s: item %d has an empty key", name, i)
				}
				if keys[it.Key] {
					t.Errorf("%s: key %q repeats", name, it.Key)
				}
				keys[it.Key] = true
				if it.Link != "" && !isAbsHTTP(it.Link) {
					t.Errorf("%s: item %d link %q is not absolute", name, i, it.Link)
				}
			}
		})
	}
	t.Logf("real feeds: %d files, %d parsed (%d items), %d refused", len(entries), parsed, items, len(entries)-parsed)
	var rs []string
	for r := range reasons {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	for _, r := range rs {
		t.Logf("  %3d  %s  (e.g. %s)", len(reasons[r]), r, reasons[r][0])
	}
	if testing.Verbose() {
		for _, r := range rs {
			t.Logf("%s: %s", r, strings.Join(reasons[r], " "))
		}
	}
}

// reasonOf groups an error message: its text up to a line number or quote.
func reasonOf(msg string) string {
	for _, cut := range []string{" on line ", " line ", "\"", "<", "invalid character", "offset"} {
		if i := strings.Index(msg, cut); i > 0 {
			if cut == "<" || cut == "invalid character" {
				i += len(cut)
			}
			msg = msg[:i]
		}
	}
	return strings.TrimSpace(msg)
}
