package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportOPMLPrintsAFeedsBlock(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "subs.opml")
	os.WriteFile(p, []byte(`<?xml version="1.0"?><opml version="2.0"><body><outline text="News"><outline type="rss" text="Example" xmlUrl="https://example.com/rss.xml"/></outline></body></opml>`), 0o600)
	code, out, errOut := runStet(t, "import-opml", p)
	if code != 0 || !strings.Contains(out, "feeds:") || !strings.Contains(out, "https://example.com/rss.xml") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
