package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func importFile(t *testing.T, name string) []Feed {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	feeds, err := ImportOPML(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("ImportOPML(%s): %v", name, err)
	}
	return feeds
}

func TestImportOPML(t *testing.T) {
	tests := []struct {
		file string
		want []Feed
	}{
		{"feedly.opml", []Feed{ // the Guardian is in two folders: once
			{URL: "https://www.theguardian.com/world/rss", Name: "World news | The Guardian"},
			{URL: "http://feeds.bbci.co.uk/news/world/rss.xml", Name: "BBC News - World"},
			{URL: "https://rss.nytimes.com/services/xml/rss/nyt/World.xml", Name: "NYT > World News"},
			{URL: "https://feeds.npr.org/1014/rss.xml", Name: "Politics : NPR"},
		}},
		{"inoreader.opml", []Feed{
			{URL: "https://feeds.elpais.com/mrss-s/pages/ep/site/elpais.com/section/mexico/portada", Name: "El País México"},
			{URL: "https://www.reutersagency.com/feed/?best-regions=north-america&post_type=best", Name: "Reuters: Americas"},
			{URL: "https://apnews.com/index.rss", Name: "AP News"},
		}},
		{"netnewswire.opml", []Feed{
			{URL: "https://rss.politico.com/politics-news.xml", Name: "Politico"},
			{URL: "https://www.propublica.org/feeds/propublica/main", Name: "ProPublica"},
			{URL: "https://www.theverge.com/rss/index.xml", Name: "The Verge"},
		}},
		{"case-variants.opml", []Feed{
			{URL: "https://www.lemonde.fr/rss/une.xml", Name: "Le Monde à la une"}, // ISO-8859-1
			{URL: "https://shout.example/FEED.xml", Name: "Shouting Feed"},
			{URL: "http://daringfireball.net/feeds/main", Name: "Via feed scheme"},
			{URL: "https://www.economist.com/international/rss.xml", Name: "Via feed: prefix"},
			{URL: "https://example.org/rss?a=1&b=2", Name: "Bare ampersand & spaces here"},
			{URL: "ftp://archive.example/podcast.xml", Name: "Podcast on FTP"},
			{URL: "https://url-attr.example/atom.xml", Name: "Feed given as url="},
			{URL: "https://titled.example/rss", Name: "Titled"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := importFile(t, tc.file)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// TestOPMLRoundTrip: what import-opml prints, Parse reads back; feeds Parse
// would refuse are kept as comments that say why.
func TestOPMLRoundTrip(t *testing.T) {
	for _, file := range []string{"feedly.opml", "inoreader.opml", "netnewswire.opml", "case-variants.opml"} {
		t.Run(file, func(t *testing.T) {
			feeds := importFile(t, file)
			out, err := FeedsYAML(feeds)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("Parse of FeedsYAML: %v\n%s", err, out)
			}
			var want []Feed
			for _, f := range feeds {
				if checkFeedURL(f.URL) == "" {
					want = append(want, f)
				}
			}
			if !reflect.DeepEqual(c.Feeds, want) {
				t.Errorf("round trip:\n%s\ngot  %+v\nwant %+v", out, c.Feeds, want)
			}
			for _, f := range feeds {
				if !strings.Contains(string(out), f.URL) {
					t.Errorf("%s is missing from the output", f.URL)
				}
			}
		})
	}
}

func TestFeedsYAML(t *testing.T) {
	feeds := []Feed{
		{URL: "https://example.com/rss", Name: "Plain name"},
		{URL: "https://example.com/a?b=1&c=2#frag", Name: "Colon: and # hash"},
		{URL: "https://example.com/q", Name: "\"Quoted\" \\ name", Schedule: "*/15 * * * *", FullText: true},
		{URL: "https://example.com/yes", Name: "yes"},
		{URL: "https://example.com/num", Name: "2024"},
		{URL: "https://example.com/at", Name: "@handle *starred* - [list] {map} | > !tag %pct `tick`"},
		{URL: "ftp://example.com/x", Name: "Bad scheme"},
		{URL: "https://example.com/rss/", Name: "Duplicate"},
		{URL: "https://ana:pw@example.com/private", Name: "Secret"},
		{URL: "https://example.com/bad-schedule", Schedule: "@fortnightly"},
	}
	out, err := FeedsYAML(feeds)
	if err != nil {
		t.Fatal(err)
	}
	want := `feeds:
  - url: https://example.com/rss
    name: Plain name
  - url: https://example.com/a?b=1&c=2#frag
    name: "Colon: and # hash"
  - url: https://example.com/q
    name: "\"Quoted\" \\ name"
    schedule: "*/15 * * * *"
    full_text: true
  - url: https://example.com/yes
    name: "yes"
  - url: https://example.com/num
    name: "2024"
  - url: https://example.com/at
    name: "@handle *starred* - [list] {map} | > !tag %pct ` + "`tick`" + `"
  # skipped: bad URL "ftp://example.com/x": want http:// or https://, not ftp:
  # - url: ftp://example.com/x
  #   name: Bad scheme
  # skipped: same feed as feeds[0]
  # - url: https://example.com/rss/
  #   name: Duplicate
  # skipped: URL "https://ana:xxxxx@example.com/private" holds a password, which would show in logs, status and the database
  # - url: https://ana:xxxxx@example.com/private
  #   name: Secret
  # skipped: bad cron expression "@fortnightly": unrecognized descriptor: @fortnightly
  # - url: https://example.com/bad-schedule
  #   schedule: "@fortnightly"
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	c, err := Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Feeds, feeds[:6]) {
		t.Errorf("parsed back\n%+v\nwant\n%+v", c.Feeds, feeds[:6])
	}
	if strings.Contains(string(out), ":pw@") {
		t.Error("the password is in the output")
	}
	empty, _ := FeedsYAML(nil)
	if c, err := Parse(bytes.NewReader(empty)); err != nil || len(c.Feeds) != 0 {
		t.Errorf("FeedsYAML(nil) = %q: %v", empty, err)
	}
}

func TestImportOPMLRefusals(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"rss, not opml", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>`,
			"config: opml: not an OPML document (it starts with <rss>)"},
		{"html", "<!DOCTYPE html><html><body><p>hi</p></body></html>",
			"config: opml: not an OPML document (it starts with <html>)"},
		{"empty", "", "config: opml: not an OPML document (no <opml> element)"},
		{"folders only", `<opml version="2.0"><body><outline text="Empty folder"/></body></opml>`,
			"config: opml: no feeds in it (no outline has an xmlUrl)"},
		{"broken xml", "<opml version=\"2.0\">\n<body>\n<outline text=\"a\" xmlUrl=\"https://a.example/\"\n</body></opml>",
			"config: opml: line 4: expected attribute name in element"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportOPML(strings.NewReader(tc.doc))
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}
