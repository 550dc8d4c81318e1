package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const commented = `# stet's configuration, kept by hand
database: /var/lib/stet/stet.db # the SQLite file

schedule: "*/30 * * * *"
feeds:
  # world news first
  - url: https://example.com/world.xml
    name: World   # shown in the digest
  - url: https://example.com/sport.xml
    full_text: true

  # commented out for now:
  # - url: https://example.com/old.xml
digest:
  schedule: "0 7 * * *" # mornings
`

func TestAddFeedsKeepsEveryOtherByte(t *testing.T) {
	out, added, skipped, err := AddFeeds([]byte(commented), []Feed{
		{URL: "https://example.com/business.xml", Name: "Business", FullText: true},
		{URL: "https://EXAMPLE.com/world.xml"}, // already there, by the duplicate rule
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 1 || len(skipped) != 1 {
		t.Fatalf("added %v, skipped %v", added, skipped)
	}
	want := `# stet's configuration, kept by hand
database: /var/lib/stet/stet.db # the SQLite file

schedule: "*/30 * * * *"
feeds:
  # world news first
  - url: https://example.com/world.xml
    name: World   # shown in the digest
  - url: https://example.com/sport.xml
    full_text: true
  - url: https://example.com/business.xml
    name: Business
    full_text: true

  # commented out for now:
  # - url: https://example.com/old.xml
digest:
  schedule: "0 7 * * *" # mornings
`
	if got := string(out); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	c, err := Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.Feeds), 3; got != want {
		t.Errorf("feeds: got %d, want %d", got, want)
	}
}

func TestAddFeedsWhereThereAreNone(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"no key", "database: x.db # here\n", "database: x.db # here\n\nfeeds:\n  - url: https://example.com/a.xml\n"},
		{"no key, no final newline", "database: x.db", "database: x.db\n\nfeeds:\n  - url: https://example.com/a.xml\n"},
		{"empty file", "", "feeds:\n  - url: https://example.com/a.xml\n"},
		{"empty list", "feeds: [] # none yet\ndatabase: x.db\n", "feeds: # none yet\n  - url: https://example.com/a.xml\ndatabase: x.db\n"},
		{"null", "feeds:\ndatabase: x.db\n", "feeds:\n  - url: https://example.com/a.xml\ndatabase: x.db\n"},
		{"unindented items", "feeds:\n- url: https://example.com/b.xml\n", "feeds:\n- url: https://example.com/b.xml\n- url: https://example.com/a.xml\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, _, err := AddFeeds([]byte(tt.src), []Feed{{URL: "https://example.com/a.xml"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestAddFeedsFlowListSaysWhatToPaste(t *testing.T) {
	_, _, _, err := AddFeeds([]byte("feeds: [{url: https://example.com/b.xml}]\n"), []Feed{{URL: "https://example.com/a.xml"}})
	if !errors.Is(err, ErrCannotEdit) {
		t.Fatalf("got %v, want ErrCannotEdit", err)
	}
	if !bytes.Contains([]byte(err.Error()), []byte("- url: https://example.com/a.xml")) {
		t.Errorf("the error does not say what to paste: %v", err)
	}
}

func TestAddFeedsRefusesBadURL(t *testing.T) {
	var e *Error
	if _, _, _, err := AddFeeds([]byte(commented), []Feed{{URL: "feed://example.com/x"}}); !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
}

func TestRemoveFeed(t *testing.T) {
	out, gone, err := RemoveFeed([]byte(commented), "https://example.com/world.xml")
	if err != nil {
		t.Fatal(err)
	}
	if gone.Name != "World" {
		t.Errorf("removed %+v", gone)
	}
	want := `# stet's configuration, kept by hand
database: /var/lib/stet/stet.db # the SQLite file

schedule: "*/30 * * * *"
feeds:
  # world news first
  - url: https://example.com/sport.xml
    full_text: true

  # commented out for now:
  # - url: https://example.com/old.xml
digest:
  schedule: "0 7 * * *" # mornings
`
	if got := string(out); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	out, _, err = RemoveFeed(out, "https://example.com/sport.xml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	if len(c.Feeds) != 0 || !bytes.Contains(out, []byte("feeds: []\n")) || !bytes.Contains(out, []byte("# mornings")) {
		t.Errorf("after removing the last feed:\n%s", out)
	}

	if _, _, err := RemoveFeed([]byte(commented), "https://example.com/nope.xml"); !errors.Is(err, ErrNoSuchFeed) {
		t.Errorf("got %v, want ErrNoSuchFeed", err)
	}
}

func TestWriteFileKeepsMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(commented), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("feeds: []\n")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o640); got != want {
		t.Errorf("mode: got %v, want %v", got, want)
	}
	b, _ := os.ReadFile(p)
	if got, want := string(b), "feeds: []\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
