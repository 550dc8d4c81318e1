package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stet-news/stet/internal/farm"
)

// Pass is the figures of one pass of `stet once`.
type Pass struct {
	Seconds      float64 `json:"seconds"`
	PerSecond    float64 `json:"per_second"` // items, feeds or changed articles per second
	Unit         string  `json:"unit"`
	FloorSeconds float64 `json:"floor_seconds"`  // the same fetches, bodies thrown away
	OverFloor    float64 `json:"over_floor"`     // Seconds / FloorSeconds
	CPUSeconds   float64 `json:"cpu_seconds"`    // the child's user+system time
	PerCPUSecond float64 `json:"per_cpu_second"` // units per CPU-second: steadier than PerSecond on a shared machine
	MaxRSSMB     float64 `json:"max_rss_mb"`
	Preempted    int64   `json:"involuntary_switches"` // the child was descheduled: a busy machine
	MaxWALMB     float64 `json:"max_wal_mb"`           // largest -wal file seen during the pass
	Feeds        string  `json:"feed_status"`          // last_status of the feeds after the pass
}

func newPass(unit string, n int, p passResult, f floorResult) Pass {
	ps := Pass{Seconds: p.Wall.Seconds(), Unit: unit, FloorSeconds: f.Wall.Seconds(), CPUSeconds: p.CPU, MaxRSSMB: mb(p.MaxRSS), Preempted: p.Preempted, MaxWALMB: mb(p.MaxWAL)}
	if p.Wall > 0 {
		ps.PerSecond = float64(n) / p.Wall.Seconds()
	}
	if p.CPU > 0 {
		ps.PerCPUSecond = float64(n) / p.CPU
	}
	if f.Wall > 0 {
		ps.OverFloor = p.Wall.Seconds() / f.Wall.Seconds()
	}
	return ps
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// Row is one size of the benchmark.
type Row struct {
	Feeds        int `json:"feeds"`
	ItemsPerFeed int `json:"items_per_feed"`
	Items        int `json:"items"`

	First     Pass `json:"first"`
	Unchanged Pass `json:"unchanged"`
	Edited    Pass `json:"edited"`

	EditedArticles int        `json:"edited_articles"`
	Score          farm.Score `json:"score"`
	Recall         float64    `json:"recall"`
	Precision      float64    `json:"precision"`

	RevisionsStored   int     `json:"revisions_stored"`
	RevisionsExpected int64   `json:"revisions_expected"`
	DBBytes           int64   `json:"db_bytes"` // SQLite: database file plus WAL; PostgreSQL: pg_database_size
	BytesPerRevision  float64 `json:"bytes_per_revision"`
	// The revisions table alone over its rows: PostgreSQL's
	// pg_total_relation_size, SQLite's dbstat pages of it and its indexes.
	RevisionsTableBytesPerRevision float64 `json:"revisions_table_bytes_per_revision,omitempty"`
	RawPerRevision                 float64 `json:"raw_bytes_per_revision"`
	StoredOverRaw                  float64 `json:"stored_over_raw"`
	PeakRSSMB                      float64 `json:"peak_rss_mb"`
	Load                           string  `json:"load_before"` // load average before the first pass

	Err string `json:"error,omitempty"`
}

// Machine describes where the benchmark ran.
type Machine struct {
	Cores     int    `json:"cores"`
	MemoryGiB string `json:"memory_gib"`
	Go        string `json:"go"`
	OS        string `json:"os"`
	Load      string `json:"load_at_start"` // /proc/loadavg: others share this machine
}

// loadAvg is the 1-, 5- and 15-minute load average, "" when unknown.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func machine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, MemoryGiB: "?", Load: loadAvg()}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64); err == nil {
					m.MemoryGiB = fmt.Sprintf("%.1f", float64(kb)/(1<<20))
				}
			}
		}
	}
	return m
}

// Report is everything the benchmark measured.
type Report struct {
	When      time.Time     `json:"when"`
	Machine   Machine       `json:"machine"`
	Command   string        `json:"command"`
	Seed      uint64        `json:"seed"`
	EditShare float64       `json:"edit_share"`
	Workers   int           `json:"workers"`
	PerHost   int           `json:"per_host"`
	Store     string        `json:"store"` // sqlite or postgres
	Extract   *extractScore `json:"extract_check,omitempty"`
	Diff      *farm.Score   `json:"diff_check,omitempty"`
	Rows      []Row         `json:"rows"`
}

func f1(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// printTable writes the one table of figures.
func printTable(w io.Writer, rep *Report) {
	m := rep.Machine
	store := "store=sqlite"
	if rep.Store == "postgres" {
		store = "store=postgres (cpu and RSS are stet's; the server's are not counted)"
	}
	fmt.Fprintf(w, "stet-bench  machine: %d cores, %s GiB, %s %s, load %s  workers=%d per_host=%d (all feeds share one host)  edit-share=%.2f seed=%d  %s\n",
		m.Cores, m.MemoryGiB, m.Go, m.OS, m.Load, rep.Workers, rep.PerHost, rep.EditShare, rep.Seed, store)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "F×I\t"+
		"first s\titems/s\t×floor\tcpu s\t"+
		"304 s\tfeeds/s\t×floor\tcpu s\tRSS MB\t"+
		"edited\tedit s\tchanged/s\t×floor\tcpu s\trecall\tprecision\t"+
		"revs\tB/rev\traw B/rev\tstored/raw\tpeak RSS MB\tload\t")
	for _, r := range rep.Rows {
		fmt.Fprintf(tw, "%d×%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%d/%d\t%s\t%s\t%.2f\t%s\t%s\t\n",
			r.Feeds, r.ItemsPerFeed,
			f1(r.First.Seconds), f1(r.First.PerSecond), f1(r.First.OverFloor), f1(r.First.CPUSeconds),
			f1(r.Unchanged.Seconds), f1(r.Unchanged.PerSecond), f1(r.Unchanged.OverFloor), f1(r.Unchanged.CPUSeconds), f1(r.Unchanged.MaxRSSMB),
			r.EditedArticles, f1(r.Edited.Seconds), f1(r.Edited.PerSecond), f1(r.Edited.OverFloor), f1(r.Edited.CPUSeconds), r.Recall, r.Precision,
			r.RevisionsStored, r.RevisionsExpected, f1(r.BytesPerRevision), f1(r.RawPerRevision), r.StoredOverRaw, f1(r.PeakRSSMB), r.Load)
	}
	tw.Flush()
	for _, r := range rep.Rows {
		if r.RevisionsTableBytesPerRevision > 0 && rep.Store == "postgres" {
			fmt.Fprintf(w, "%d×%d: B/rev is pg_database_size over the revisions (%.1f MB); the revisions table alone (pg_total_relation_size: heap, TOAST, indexes) is %s B/rev\n",
				r.Feeds, r.ItemsPerFeed, mb(r.DBBytes), f1(r.RevisionsTableBytesPerRevision))
		} else if r.RevisionsTableBytesPerRevision > 0 {
			fmt.Fprintf(w, "%d×%d: B/rev is the database file and WAL over the revisions (%.1f MB); the revisions table alone (dbstat: its pages and its indexes') is %s B/rev\n",
				r.Feeds, r.ItemsPerFeed, mb(r.DBBytes), f1(r.RevisionsTableBytesPerRevision))
		}
		if r.Err != "" {
			fmt.Fprintf(w, "%d×%d: error: %s\n", r.Feeds, r.ItemsPerFeed, r.Err)
		}
		if len(r.Score.Missing)+len(r.Score.Extra) > 0 {
			fmt.Fprintf(w, "%d×%d: %d expected, %d reported, %d found; first mismatches:\n", r.Feeds, r.ItemsPerFeed, r.Score.Expected, r.Score.Reported, r.Score.Found)
			for _, s := range first(r.Score.Missing, 5) {
				fmt.Fprintf(w, "  missing %s\n", s)
			}
			for _, s := range first(r.Score.Extra, 5) {
				fmt.Fprintf(w, "  extra   %s\n", s)
			}
		}
	}
	if e := rep.Extract; e != nil {
		fmt.Fprintf(w, "extract check (stet extract on samples): quotes with the right speaker %d/%d (%d reported), titles %d/%d (%d reported)\n",
			e.QuotesFound, e.Quotes, e.QuotesReported, e.TitlesFound, e.Titles, e.TitlesReported)
		for _, s := range first(e.Mismatches, 5) {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	if d := rep.Diff; d != nil {
		fmt.Fprintf(w, "diff check (stet diff on sample edits): recall %.3f, precision %.3f (%d expected, %d reported)\n", d.Recall(), d.Precision(), d.Expected, d.Reported)
		for _, s := range first(d.Missing, 5) {
			fmt.Fprintf(w, "  missing %s\n", s)
		}
		for _, s := range first(d.Extra, 5) {
			fmt.Fprintf(w, "  extra   %s\n", s)
		}
	}
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
