package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stet-news/stet/config"
)

const userConfig = `# my feeds
database: stet.db
feeds:
  - url: https://example.com/world.xml # the first one
    name: World
digest:
  dir: mail # .eml files
`

func writeUserConfig(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func loadFeeds(t *testing.T, p string) []config.Feed {
	t.Helper()
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return c.Feeds
}

func TestAddAndRemoveAFeedAsAUserWould(t *testing.T) {
	p := writeUserConfig(t, userConfig)
	code, out, errOut := runStet(t, "add", "--config", p, "https://example.com/sport.xml", "--name", "Sport", "--full-text")
	if code != 0 || !strings.Contains(out, "added https://example.com/sport.xml") || !strings.Contains(out, "SIGHUP") {
		t.Fatalf("add: exit %d\n%s%s", code, out, errOut)
	}
	fl := loadFeeds(t, p)
	if len(fl) != 2 || fl[1].Name != "Sport" || !fl[1].FullText {
		t.Fatalf("feeds after add: %+v", fl)
	}
	b, _ := os.ReadFile(p)
	for _, kept := range []string{"# my feeds", "# the first one", "dir: mail # .eml files"} {
		if !strings.Contains(string(b), kept) {
			t.Errorf("lost %q:\n%s", kept, b)
		}
	}

	code, _, errOut = runStet(t, "add", "--config", p, "https://EXAMPLE.com/sport.xml")
	if code != 1 || !strings.Contains(errOut, "already watched") {
		t.Errorf("add twice: exit %d %s", code, errOut)
	}

	code, out, errOut = runStet(t, "remove", "--config", p, "world") // by name, any case
	if code != 0 || !strings.Contains(out, "removed https://example.com/world.xml") {
		t.Fatalf("remove: exit %d\n%s%s", code, out, errOut)
	}
	if fl := loadFeeds(t, p); len(fl) != 1 || fl[0].URL != "https://example.com/sport.xml" {
		t.Errorf("feeds after remove: %+v", fl)
	}
	code, _, errOut = runStet(t, "remove", "--config", p, "https://example.com/nope.xml")
	if code != 1 || !strings.Contains(errOut, "no such feed") {
		t.Errorf("remove unknown: exit %d %s", code, errOut)
	}
}

func TestAddNeedsAConfigFile(t *testing.T) {
	code, _, errOut := runStet(t, "add", "https://example.com/rss.xml")
	if code != 2 || !strings.Contains(errOut, "--config") {
		t.Errorf("exit %d %s", code, errOut)
	}
}

func TestImportOPMLMergesIntoAConfigWithFeeds(t *testing.T) {
	p := writeUserConfig(t, userConfig)
	opml := filepath.Join(t.TempDir(), "subs.opml")
	os.WriteFile(opml, []byte(`<?xml version="1.0"?><opml version="2.0"><body><outline text="News">
<outline type="rss" text="World again" xmlUrl="https://example.com/world.xml"/>
<outline type="rss" text="Tech" xmlUrl="https://example.com/tech.xml"/>
<outline type="rss" text="Broken" xmlUrl="ftp://example.com/x"/>
</outline></body></opml>`), 0o600)
	code, out, errOut := runStet(t, "import-opml", "--merge", p, opml)
	if code != 0 || !strings.Contains(out, "1 feed added, 1 already watched, 1 refused") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	fl := loadFeeds(t, p)
	if len(fl) != 2 || fl[1].URL != "https://example.com/tech.xml" || fl[1].Name != "Tech" {
		t.Errorf("feeds after merge: %+v", fl)
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), "# the first one") {
		t.Errorf("comments lost:\n%s", b)
	}
}
