package farm

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	edits := []Edit{
		{Link: "a", Kind: EditQuote, Expect: []Expect{{"quote_edited", "Maria Okafor"}}},
		{Link: "b", Kind: EditTitle, Expect: []Expect{{"title_changed", "Tom Reyes"}}},
		{Link: "c", Kind: EditText},
	}
	tests := []struct {
		name                            string
		got                             []Reported
		wantFound, wantMissing, wantExt int
		wantRecall, wantPrecision       float64
	}{
		{"exact", []Reported{{Article: "a", Kind: "quote_edited", Person: "Maria Okafor"}, {Article: "b", Kind: "title_changed", Person: "Tom Reyes"}},
			2, 0, 0, 1, 1},
		{"name folded", []Reported{{Article: "a", Kind: "quote_edited", Person: "maria  okafor"}, {Article: "b", Kind: "title_changed", Person: "Tom Reyes"}},
			2, 0, 0, 1, 1},
		{"nothing reported", nil, 0, 2, 0, 0, 1},
		{"one missing", []Reported{{Article: "b", Kind: "title_changed", Person: "Tom Reyes"}}, 1, 1, 0, 0.5, 1},
		{"change on a text-only edit", []Reported{{Article: "a", Kind: "quote_edited", Person: "Maria Okafor"}, {Article: "b", Kind: "title_changed", Person: "Tom Reyes"},
			{Article: "c", Kind: "quote_removed", Person: "Dana Osei"}}, 2, 0, 1, 1, 2.0 / 3},
		{"wrong kind", []Reported{{Article: "a", Kind: "quote_removed", Person: "Maria Okafor"}, {Article: "b", Kind: "title_changed", Person: "Tom Reyes"}},
			1, 1, 1, 0.5, 0.5},
		{"surname only", []Reported{{Article: "a", Kind: "quote_edited", Person: "Okafor"}, {Article: "b", Kind: "title_changed", Person: "Tom Reyes"}},
			1, 1, 1, 0.5, 0.5},
		{"reported twice", []Reported{{Article: "a", Kind: "quote_edited", Person: "Maria Okafor"}, {Article: "a", Kind: "quote_edited", Person: "Maria Okafor"},
			{Article: "b", Kind: "title_changed", Person: "Tom Reyes"}}, 2, 0, 1, 1, 2.0 / 3},
		{"right change, wrong article", []Reported{{Article: "b", Kind: "quote_edited", Person: "Maria Okafor"}, {Article: "b", Kind: "title_changed", Person: "Tom Reyes"}},
			1, 1, 1, 0.5, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Compare(edits, tt.got)
			if s.Expected != 2 || s.Reported != len(tt.got) {
				t.Errorf("expected %d reported %d, want 2 and %d", s.Expected, s.Reported, len(tt.got))
			}
			if s.Found != tt.wantFound || len(s.Missing) != tt.wantMissing || len(s.Extra) != tt.wantExt {
				t.Errorf("found %d missing %v extra %v, want %d, %d, %d", s.Found, s.Missing, s.Extra, tt.wantFound, tt.wantMissing, tt.wantExt)
			}
			if got := s.Recall(); got != tt.wantRecall {
				t.Errorf("recall %v, want %v", got, tt.wantRecall)
			}
			if got := s.Precision(); got != tt.wantPrecision {
				t.Errorf("precision %v, want %v", got, tt.wantPrecision)
			}
		})
	}
}

func TestFarmEdit(t *testing.T) {
	tests := []struct {
		name   string
		F, I   int
		share  float64
		nEdits int
	}{
		{"none", 4, 5, 0, 0},
		{"a tenth", 10, 10, 0.1, 10},
		{"half", 5, 4, 0.5, 10},
		{"all", 3, 3, 1, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fm := New(5, tt.F, tt.I)
			before := make([]string, tt.F)
			bodies := make([]string, tt.F)
			for f := range tt.F {
				before[f], bodies[f] = fm.ETag(f), string(fm.docs[f].body)
			}
			raw0 := fm.RawPerRevision()
			edits, err := fm.Edit(tt.share)
			if err != nil {
				t.Fatal(err)
			}
			if len(edits) != tt.nEdits {
				t.Fatalf("%d edits, want %d", len(edits), tt.nEdits)
			}
			if got, want := fm.Versions(), int64(tt.F*tt.I+tt.nEdits); got != want {
				t.Errorf("versions %d, want %d", got, want)
			}
			if tt.nEdits == 0 && fm.RawPerRevision() != raw0 {
				t.Errorf("raw per revision moved without edits")
			}
			seen := map[[2]int]bool{}
			touched := map[int]bool{}
			for k, e := range edits {
				if seen[[2]int{e.Feed, e.Item}] {
					t.Errorf("article %d/%d edited twice", e.Feed, e.Item)
				}
				seen[[2]int{e.Feed, e.Item}] = true
				touched[e.Feed] = true
				if want := EditKinds[k%3]; e.Kind != want {
					t.Errorf("edit %d is %s, want %s", k, e.Kind, want)
				}
				if (e.Kind == EditText) != (len(e.Expect) == 0) {
					t.Errorf("edit %d (%s) expects %v", k, e.Kind, e.Expect)
				}
				// The served feed carries the edited version.
				a, err := fm.Article(e.Feed, e.Item)
				if err != nil {
					t.Fatal(err)
				}
				if a.Version != 2 || a.Link != e.Link {
					t.Errorf("article %s: version %d link %s", e.Link, a.Version, a.Link)
				}
				if !strings.Contains(string(fm.docs[e.Feed].body), xmlEsc(articleHTML(a))) {
					t.Errorf("feed %d does not carry the edited article %s", e.Feed, e.Link)
				}
				if strings.Contains(bodies[e.Feed], xmlEsc(articleHTML(a))) {
					t.Errorf("feed %d carried the edited article before the edit", e.Feed)
				}
			}
			for f := range tt.F {
				if changed := fm.ETag(f) != before[f]; changed != touched[f] {
					t.Errorf("feed %d: etag changed %v, edited %v", f, changed, touched[f])
				}
			}
		})
	}
}

func TestFarmServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fm := New(1, 3, 2)
	if err := fm.Start(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	defer fm.Close()
	if !strings.HasPrefix(fm.URL(0), "http://127.0.0.1:") {
		t.Fatalf("farm at %s, want loopback", fm.URL(0))
	}
	tests := []struct {
		name, path, inm string
		want            int
		wantType        string
	}{
		{"rss", "/feed/0.xml", "", 200, "application/rss+xml; charset=utf-8"},
		{"atom", "/feed/1.xml", "", 200, "application/atom+xml; charset=utf-8"},
		{"matching etag", "/feed/0.xml", fm.ETag(0), 304, ""},
		{"weak form of the etag", "/feed/0.xml", "W/" + fm.ETag(0), 304, ""},
		{"one of several", "/feed/2.xml", `"x", ` + fm.ETag(2), 304, ""},
		{"another feed's etag", "/feed/0.xml", fm.ETag(1), 200, "application/rss+xml; charset=utf-8"},
		{"no such feed", "/feed/3.xml", "", 404, ""},
		{"not a feed", "/other", "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(fm.URL(0), "/feed/0.xml")+tt.path, nil)
			if tt.inm != "" {
				req.Header.Set("If-None-Match", tt.inm)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == 404 {
				return
			}
			if resp.Header.Get("ETag") == "" {
				t.Errorf("no ETag")
			}
			if tt.want == 304 && len(body) != 0 {
				t.Errorf("304 with a body of %d bytes", len(body))
			}
			if tt.want == 200 && resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("content type %q, want %q", resp.Header.Get("Content-Type"), tt.wantType)
			}
		})
	}
}

// TestFarmHoldAndLog checks that the log has every feed request with its
// user agent and answer, and that a held answer comes no sooner than the
// hold (a lower bound only).
func TestFarmHoldAndLog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fm := New(1, 2, 2)
	fm.Hold = 50 * time.Millisecond
	fm.KeepLog = true
	if err := fm.Start(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	defer fm.Close()
	get := func(f int, ua, inm string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fm.URL(f), nil)
		req.Header.Set("User-Agent", ua)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if took := time.Since(start); took < fm.Hold {
			t.Errorf("answered after %s, before the hold of %s", took, fm.Hold)
		}
	}
	get(0, "w1", "")
	get(1, "w2", "")
	get(1, "w3", fm.ETag(1))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(fm.URL(0), "/feed/0.xml")+"/other", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	got := fm.Log()
	want := []Request{{Feed: 0, UserAgent: "w1", Status: 200}, {Feed: 1, UserAgent: "w2", Status: 200}, {Feed: 1, UserAgent: "w3", Status: 304}}
	if len(got) != len(want) {
		t.Fatalf("log %+v, want %+v", got, want)
	}
	for k := range want {
		if got[k].Feed != want[k].Feed || got[k].UserAgent != want[k].UserAgent || got[k].Status != want[k].Status || got[k].At.IsZero() {
			t.Errorf("log[%d] = %+v, want %+v", k, got[k], want[k])
		}
		if k > 0 && got[k].At.Before(got[k-1].At) {
			t.Errorf("log out of order at %d", k)
		}
	}

	// A client that leaves during the hold: in flight, then abandoned.
	fm.Hold = time.Minute
	cctx, ccancel := context.WithCancel(ctx)
	req, _ = http.NewRequestWithContext(cctx, http.MethodGet, fm.URL(0), nil)
	req.Header.Set("User-Agent", "gone")
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	status := func() int {
		l := fm.Log()
		if len(l) < 4 {
			return 1 // not arrived
		}
		return l[3].Status
	}
	for deadline := time.Now().Add(10 * time.Second); status() != InFlight; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("request not logged as in flight: %+v", fm.Log())
		}
	}
	ccancel()
	<-errc
	for deadline := time.Now().Add(10 * time.Second); status() != Abandoned; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("request not logged as abandoned: %+v", fm.Log())
		}
	}
}
