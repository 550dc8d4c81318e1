package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	revNumRE   = regexp.MustCompile(`<span class="num">(\d+)</span>`)
	changeRE   = regexp.MustCompile(`id="change-(\d+)"`)
	nextHrefRE = regexp.MustCompile(`<a rel="next" href="([^"]+)"`)
)

// The article page and /api/articles/{id} show an article with many
// revisions and changes a page at a time, newest first; following the next
// links visits every revision and change exactly once.
func TestBigArticleIsPaged(t *testing.T) {
	st := openStore(t)
	const revs, perRev = 45, 3
	id := bigArticle(t, st, revs, perRev)
	h := New(st, Options{Hosts: []string{"example.com"}, Now: func() time.Time { return t0.Add(time.Hour) }}).Handler()

	t.Run("page", func(t *testing.T) {
		var nums []string
		changes := map[string]int{}
		target := fmt.Sprintf("/articles/%d", id)
		for pages := 0; target != ""; pages++ {
			if pages > revs {
				t.Fatal("the next links do not end")
			}
			r := get(t, h, target)
			if r.code != 200 {
				t.Fatalf("%s: %d", target, r.code)
			}
			var onPage []string
			for _, m := range revNumRE.FindAllStringSubmatch(r.body, -1) {
				onPage = append(onPage, m[1])
			}
			if len(onPage) > revPageSize {
				t.Errorf("%s: %d revisions on one page, want at most %d", target, len(onPage), revPageSize)
			}
			nums = append(nums, onPage...)
			for _, m := range changeRE.FindAllStringSubmatch(r.body, -1) {
				changes[m[1]]++
			}
			target = ""
			if m := nextHrefRE.FindStringSubmatch(r.body); m != nil {
				target = strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		if len(nums) != revs || nums[0] != fmt.Sprint(revs) || nums[len(nums)-1] != "1" {
			t.Errorf("revisions shown: %v, want %d down to 1", nums, revs)
		}
		if len(changes) != (revs-1)*perRev {
			t.Errorf("changes shown: %d, want %d", len(changes), (revs-1)*perRev)
		}
		for c, n := range changes {
			if n != 1 {
				t.Errorf("change %s shown on %d pages", c, n)
			}
		}
	})

	t.Run("api", func(t *testing.T) {
		var versions []int
		var ids []int64
		target := fmt.Sprintf("/api/articles/%d", id)
		for pages := 0; target != ""; pages++ {
			if pages > revs {
				t.Fatal("the next links do not end")
			}
			r := get(t, h, target)
			if r.code != 200 {
				t.Fatalf("%s: %d %s", target, r.code, r.body)
			}
			var a ArticleJSON
			if err := json.Unmarshal([]byte(r.body), &a); err != nil {
				t.Fatal(err)
			}
			if len(a.Revisions) > apiRevPageSize || len(a.Changes) > changePageSize {
				t.Errorf("%s: %d revisions and %d changes in one response", target, len(a.Revisions), len(a.Changes))
			}
			if a.Stored != revs {
				t.Errorf("revisions_stored %d, want %d", a.Stored, revs)
			}
			for _, rv := range a.Revisions {
				versions = append(versions, rv.Version)
				if !strings.Contains(rv.Text, fmt.Sprintf("Edition %d.", rv.Version)) {
					t.Errorf("revision %d: wrong text", rv.Version)
				}
			}
			for _, c := range a.Changes {
				ids = append(ids, c.ID)
			}
			target = a.Next
		}
		if len(versions) != revs || !sort.IsSorted(sort.Reverse(sort.IntSlice(versions))) || slices.Compact(slices.Clone(versions))[0] != revs {
			t.Errorf("versions %v: want %d down to 1, each once", versions, revs)
		}
		if len(ids) != (revs-1)*perRev || !slices.IsSortedFunc(ids, func(a, b int64) int { return int(b - a) }) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Errorf("changes: %d ids %v, want %d, newest first, each once", len(ids), ids, (revs-1)*perRev)
		}
	})

	t.Run("bad cursor", func(t *testing.T) {
		for _, q := range []string{"?rev_before=x", "?change_before=-1", "?limit=1000"} {
			if r := get(t, h, fmt.Sprintf("/api/articles/%d%s", id, q)); r.code != 400 {
				t.Errorf("%s: got %d, want 400", q, r.code)
			}
		}
	})
}

// With every heavy slot taken, /healthz and the light pages still answer,
// and an article request gives up with 503 (here: its client leaves)
// instead of piling up.
func TestHeavyRequestsAreBounded(t *testing.T) {
	f := newFixture(t, Options{MaxHeavy: 1})
	f.srv.heavy <- struct{}{} // a heavy request is running
	for _, path := range []string{"/healthz", "/api/feeds", "/changes"} {
		if r := get(t, f.h, path); r.code != 200 {
			t.Errorf("%s: got %d while the heavy slot is taken", path, r.code)
		}
	}
	for _, path := range []string{fmt.Sprintf("/articles/%d", f.article), fmt.Sprintf("/api/articles/%d", f.article)} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: got %d, want 503 with Retry-After", path, rec.Code)
		}
	}
	<-f.srv.heavy
	if r := get(t, f.h, fmt.Sprintf("/articles/%d", f.article)); r.code != 200 {
		t.Errorf("article page after the slot came free: %d", r.code)
	}
}

// The API stops adding revisions once their text reaches its byte budget
// (always at least one), and the next link carries on from there.
func TestAPIArticleByteBudget(t *testing.T) {
	st := openStore(t)
	f, err := st.EnsureFeed(context.Background(), "https://big.example/rss", "Big")
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for i := 1; i <= 3; i++ {
		text := fmt.Sprintf("Edition %d.\n\n", i) + strings.Repeat(fmt.Sprintf("Paragraph %d of a very long article. ", i), 70000)
		id = storeVersion(t, st, f.ID, "big", "https://big.example/a", version{Headline: "Big", Text: text}, t0.Add(time.Duration(i)*time.Minute), nil)
	}
	h := New(st, Options{Hosts: []string{"example.com"}}).Handler()
	var versions []int
	target := fmt.Sprintf("/api/articles/%d", id)
	for pages := 0; target != ""; pages++ {
		if pages > 5 {
			t.Fatal("the next links do not end")
		}
		r := get(t, h, target)
		var a ArticleJSON
		if err := json.Unmarshal([]byte(r.body), &a); err != nil {
			t.Fatal(err)
		}
		if len(r.body) > maxAPITextBytes+(1<<20) && len(a.Revisions) > 1 {
			t.Errorf("%s: %d bytes with %d revisions: over the budget", target, len(r.body), len(a.Revisions))
		}
		for _, rv := range a.Revisions {
			versions = append(versions, rv.Version)
		}
		target = a.Next
	}
	if !slices.Equal(versions, []int{3, 2, 1}) {
		t.Errorf("versions %v, want 3 2 1", versions)
	}
}
