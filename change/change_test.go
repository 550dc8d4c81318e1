package change

import (
	"encoding/json"
	"testing"
	"time"
)

func TestLabels(t *testing.T) {
	for _, tt := range []struct{ kind, want string }{
		{"quote_edited", "quote edited"},
		{"headline_changed", "headline changed"},
		{"something_new", "something_new"},
	} {
		if got := Label(tt.kind); got != tt.want {
			t.Errorf("Label(%q) = %q, want %q", tt.kind, got, tt.want)
		}
	}
	if len(Kinds) != 8 {
		t.Errorf("%d kinds, want the contract's 8", len(Kinds))
	}
}

// TestJSONShape pins the fields of `stet changes --json`.
func TestJSONShape(t *testing.T) {
	r := Record{ID: 3, FeedURL: "f", ArticleURL: "a", ArticleID: 2, Headline: "h", FromRev: 1, ToRev: 2,
		Kind: "quote_edited", Person: "P", Before: "b", After: "c", DetectedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b, err := json.Marshal(r.JSON())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":3,"feed":"f","article":"a","article_id":2,"headline":"h","from_revision":1,"to_revision":2,"kind":"quote_edited","person":"P","before":"b","after":"c","quote":"","detected_at":"2026-01-02T03:04:05Z"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
