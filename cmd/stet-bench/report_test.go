package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/farm"
)

func TestPrintTable(t *testing.T) {
	rep := &Report{Machine: Machine{Cores: 2, MemoryGiB: "23.5", Go: "go1.26", OS: "linux/amd64", Load: "1.00 1.00 1.00"},
		Workers: 8, PerHost: 8, EditShare: 0.1, Seed: 1,
		Rows: []Row{{Feeds: 200, ItemsPerFeed: 50, Items: 10000,
			First:          newPass("items", 10000, passResult{Wall: 2 * time.Second, CPU: 3}, floorResult{Wall: 100 * time.Millisecond}),
			EditedArticles: 1000, Recall: 0.5, Precision: 1,
			Score: farm.Score{Expected: 2, Reported: 1, Found: 1, Missing: []string{`a: quote_edited "x"`}}}}}
	var b bytes.Buffer
	printTable(&b, rep)
	out := b.String()
	for _, want := range []string{"2 cores", "per_host=8", "200×50", "5000", "20.0", "0.500", "missing a: quote_edited"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if got := strings.Count(out, "F×I"); got != 1 {
		t.Errorf("%d table headers, want one table", got)
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil || back.Rows[0].First.PerSecond != 5000 || back.Rows[0].First.PerCPUSecond < 3333 {
		t.Errorf("JSON round trip: %v %+v", err, back.Rows)
	}
}

func TestWriteConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "stet.yaml")
	if err := writeConfig(p, "/tmp/x y/bench.db", []string{"http://127.0.0.1:1/feed/0.xml", "http://127.0.0.1:1/feed/1.xml"}, 8, 8); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`database: "/tmp/x y/bench.db"`, "allow: [127.0.0.0/8]", "workers: 8", "per_host: 8",
		`- url: "http://127.0.0.1:1/feed/1.xml"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("config lacks %q:\n%s", want, b)
		}
	}
}
