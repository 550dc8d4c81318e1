package main

import (
	"strings"
	"testing"

	"github.com/stet-news/stet/change"
)

func TestCauseFirst(t *testing.T) {
	tests := []struct{ in, want string }{
		{`feeds: fetch https://x.example/rss: Get "https://x.example/rss": dial tcp: lookup x.example on 127.0.0.53:53: no such host`,
			`no such host (feeds: fetch https://x.example/rss: Get "https://x.example/rss": dial tcp: lookup x.example on 127.0.0.53:53)`},
		{"HTTP 503", "HTTP 503"},
		{"feeds: not a feed: looks like an HTML page", "looks like an HTML page (feeds: not a feed)"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := causeFirst(tt.in); got != tt.want {
			t.Errorf("causeFirst(%q):\ngot  %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestTrimContextKeepsTheChangedWords(t *testing.T) {
	long := strings.Repeat("word ", 40)
	ps := change.Spaced(change.Mark(long+"old phrase "+long, long+"new phrase "+long))
	got := change.Bracketed(trimContext(ps, 20))
	if !strings.Contains(got, "[-old-] {+new+}") || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || len(got) > 120 {
		t.Errorf("got %q", got)
	}
}
