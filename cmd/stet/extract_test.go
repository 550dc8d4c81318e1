package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testfeed"
)

// runCmd runs stet in-process with stdin and returns the exit status and
// both outputs.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Now: time.Now}
	code := Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// seedText is the repository's invented test article (internal/testfeed).
func seedText(t *testing.T) string {
	t.Helper()
	return string(testfeed.SeedBytes(t))
}

func TestExtractJSON(t *testing.T) {
	p := writeFile(t, "seed.txt", seedText(t))
	code, out, errs := runCmd(t, "", "extract", "--json", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Quotes []struct {
			Text, Speaker string
			Partial       bool
		}
		Titles []struct{ Person, Title string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	var speakers []string
	partial := 0
	for _, q := range got.Quotes {
		speakers = append(speakers, q.Speaker)
		if q.Partial {
			partial++
		}
	}
	if got, want := strings.Join(speakers, ","), "Elena Marsh,Elena Marsh,Elena Marsh,Tomas Brenner,Ines Kovac"; got != want {
		t.Errorf("got speakers %s, want %s", got, want)
	}
	if partial != 1 {
		t.Errorf("got %d partial quotes, want 1", partial)
	}
	if len(got.Titles) != 5 {
		t.Errorf("got %d titles, want 5: %+v", len(got.Titles), got.Titles)
	}
}

func TestExtractEmptyArrays(t *testing.T) {
	code, out, _ := runCmd(t, "Nothing quoted here.\n", "extract", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, `"quotes": []`) || !strings.Contains(out, `"titles": []`) {
		t.Errorf("got %s, want empty arrays", out)
	}
}

func TestExtractHTML(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Site | Story</title></head><body>
<nav><a href="/">Home</a></nav><article><h1>Council votes “no”</h1>
<p class="byline">By A. Writer</p>
<p>The council voted on Tuesday. Mayor Linda Okafor opposed the plan.</p>
<p>“We will appeal,” Okafor said, “and we <em>will</em> win.”</p>
<p>The vote was 7-2 after a debate that ran past midnight and drew a large crowd of residents.</p>
</article><footer>© Site</footer></body></html>`
	p := writeFile(t, "page.html", page)
	code, out, errs := runCmd(t, "", "extract", "--json", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "We will appeal, and we will win.") || !strings.Contains(out, `"speaker": "Linda Okafor"`) {
		t.Errorf("got %s", out)
	}
	if strings.Contains(out, `"no"`) {
		t.Errorf("headline quote marks made a quote: %s", out)
	}
}

func TestDiffJSON(t *testing.T) {
	seed := seedText(t)
	oldP := writeFile(t, "old.txt", seed)
	tests := []struct {
		name  string
		edit  string
		kinds []string
	}{
		{"no change", seed, nil},
		{"typography", strings.NewReplacer("“", `"`, "”", `"`, "’", "'").Replace(seed), nil},
		{"quote edited", strings.Replace(seed, "a great deal of advice", "much advice", 1), []string{"quote_edited"}},
		{"headline", strings.Replace(seed, "Pledges Grain Reserves", "Pledges Help", 1), []string{"headline_changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newP := writeFile(t, "new.txt", tt.edit)
			code, out, errs := runCmd(t, "", "diff", "--json", oldP, newP)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var got struct {
				Changes []struct{ Kind string } `json:"changes"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if got.Changes == nil {
				t.Fatalf("changes is null, want []: %s", out)
			}
			var kinds []string
			for _, c := range got.Changes {
				kinds = append(kinds, c.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(tt.kinds, ",") {
				t.Errorf("got %v, want %v", kinds, tt.kinds)
			}
		})
	}
}

func TestDiffForPeople(t *testing.T) {
	seed := seedText(t)
	oldP := writeFile(t, "old.txt", seed)
	newP := writeFile(t, "new.txt", strings.Replace(seed, "a great deal of advice", "much advice", 1))
	code, out, _ := runCmd(t, "", "diff", oldP, newP)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"quote edited: Elena Marsh", "[-a great deal of-]", "{+much+}", "speaker: Elena Marsh"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour codes when not a terminal:\n%s", out)
	}
}

func TestExtractDiffErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing file", []string{"extract", "--json", "/nonexistent/a.txt"}, 1, "/nonexistent/a.txt"},
		{"no file", []string{"extract", "--json"}, 2, "usage"},
		{"diff one file", []string{"diff", "--json", "a"}, 2, "usage"},
		{"diff missing", []string{"diff", "/nonexistent/old.txt", "/nonexistent/new.txt"}, 1, "/nonexistent/old.txt"},
		{"bad flag", []string{"diff", "--bogus", "a", "b"}, 2, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("got exit %d, want %d (%s)", code, tt.code, errs)
			}
			if !strings.Contains(errs, tt.msg) {
				t.Errorf("stderr %q lacks %q", errs, tt.msg)
			}
			if tt.code == 1 && strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("error is not one line: %q", errs)
			}
		})
	}
}
