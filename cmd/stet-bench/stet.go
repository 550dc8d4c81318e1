package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stet-news/stet/internal/farm"
)

// stet drives the real stet binary.
type stet struct {
	bin     string
	cfg     string
	db      string
	env     []string      // extra environment for passes (e.g. GODEBUG)
	timeout time.Duration // per command
}

// repoRoot finds the directory of stet's go.mod, from dir upwards.
func repoRoot(dir string) (string, error) {
	for range 64 {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/stet-news/stet\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("bench: not inside the stet module (no go.mod naming github.com/stet-news/stet)")
}

// buildStet builds ./cmd/stet into out.
func buildStet(ctx context.Context, root, out, tags string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	args := []string{"build", "-o", out}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, "./cmd/stet")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: go build ./cmd/stet: %w\n%s", err, b)
	}
	return nil
}

// writeConfig writes stet's configuration for the farm's feeds.
func writeConfig(path, db string, urls []string, workers, perHost int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by stet-bench\ndatabase: %s\n", strconv.Quote(db))
	fmt.Fprintf(&b, "fetch:\n  allow: [127.0.0.0/8]\n  workers: %d\n  per_host: %d\n", workers, perHost)
	b.WriteString("feeds:\n")
	for _, u := range urls {
		fmt.Fprintf(&b, "  - url: %s\n", strconv.Quote(u))
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// passResult is one timed `stet once`.
type passResult struct {
	Wall   time.Duration
	CPU    float64 // seconds, user+system
	MaxRSS int64   // bytes

	Preempted int64 // involuntary context switches: the machine was busy
	MaxWAL    int64 // largest size of the -wal file seen during the pass
}

// sampleMax returns the largest size of file seen every interval until stop.
func sampleMax(file string, every time.Duration, stop <-chan struct{}) int64 {
	var most int64
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if fi, err := os.Stat(file); err == nil {
			most = max(most, fi.Size())
		}
		select {
		case <-stop:
			return most
		case <-t.C:
		}
	}
}

// once runs `stet once` and measures it (through the measure helper, see
// measure.go). With logFile set, its standard error (logs, GODEBUG traces)
// is also written there; with profile set, stet writes a CPU profile of the
// pass there (`stet once --cpuprofile`), and its live heap after the pass
// next to it, .heap for .prof (`--memprofile`).
func (s *stet) once(ctx context.Context, logFile, profile string) (passResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var stderr bytes.Buffer
	var w io.Writer = &limitWriter{w: &stderr, n: 1 << 20}
	if logFile != "" {
		f, err := os.Create(logFile)
		if err != nil {
			return passResult{}, err
		}
		defer f.Close()
		w = io.MultiWriter(w, f)
	}
	walDone := make(chan int64)
	stopWAL := make(chan struct{})
	go func() { walDone <- sampleMax(s.db+"-wal", 200*time.Millisecond, stopWAL) }()
	args := []string{s.bin, "once", "--config", s.cfg, "--log-level", "error"}
	if profile != "" {
		args = append(args, "--cpuprofile", profile, "--memprofile", strings.TrimSuffix(profile, ".prof")+".heap")
	}
	m, err := runMeasured(ctx, args, s.env, w)
	close(stopWAL)
	res := passResult{Wall: time.Duration(m.WallNS), CPU: m.CPU, MaxRSS: m.MaxRSS, Preempted: m.Preempted, MaxWAL: <-walDone}
	if err != nil {
		return res, fmt.Errorf("bench: stet once: %w: %s", err, lastLines(stderr.String(), 5))
	}
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		fmt.Fprintf(os.Stderr, "stet once said: %s\n", lastLines(msg, 5))
	}
	return res, nil
}

// output runs a stet command and returns its standard output.
func (s *stet) output(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &limitWriter{w: &stderr, n: 1 << 16}
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("bench: stet %s: %w: %s", args[0], err, lastLines(stderr.String(), 3))
	}
	return out, nil
}

// statusRow is one line of `stet status --json`.
type statusRow struct {
	Feed       string `json:"feed"`
	Articles   int    `json:"articles"`
	Revisions  int    `json:"revisions"`
	LastStatus int    `json:"last_status"`
	LastError  string `json:"last_error"`
}

// feedState sums `stet status --json`.
type feedState struct {
	Feeds, Articles, Revisions int
	Status                     map[int]int // last_status → feeds
	Errors                     []string    // first few last_error values
	ErrorCount                 int
}

func (fs feedState) statusString() string {
	var parts []string
	for _, code := range []int{0, 200, 304} {
		if n := fs.Status[code]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d×%d", n, code))
		}
	}
	for code, n := range fs.Status {
		if code != 0 && code != 200 && code != 304 {
			parts = append(parts, fmt.Sprintf("%d×%d", n, code))
		}
	}
	return strings.Join(parts, " ")
}

func (s *stet) status(ctx context.Context) (feedState, error) {
	out, err := s.output(ctx, "status", "--config", s.cfg, "--json")
	st := feedState{Status: map[int]int{}}
	if err != nil {
		return st, err
	}
	err = eachJSONLine(out, func(line []byte) error {
		var r statusRow
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		st.Feeds++
		st.Articles += r.Articles
		st.Revisions += r.Revisions
		st.Status[r.LastStatus]++
		if r.LastError != "" {
			st.ErrorCount++
			if len(st.Errors) < 3 {
				st.Errors = append(st.Errors, r.Feed+": "+r.LastError)
			}
		}
		return nil
	})
	return st, err
}

func (s *stet) changes(ctx context.Context) ([]farm.Reported, error) {
	out, err := s.output(ctx, "changes", "--config", s.cfg, "--json")
	if err != nil {
		return nil, err
	}
	var got []farm.Reported
	err = eachJSONLine(out, func(line []byte) error {
		var r farm.Reported
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		got = append(got, r)
		return nil
	})
	return got, err
}

func eachJSONLine(out []byte, fn func([]byte) error) error {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("bench: JSON line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// limitWriter keeps the first n bytes written to it.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k]) //nolint:errcheck // a bytes.Buffer
		l.n -= k
	}
	return len(p), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// hasOnce checks that the binary has the commands the benchmark drives.
func (s *stet) hasOnce(ctx context.Context) error {
	out, _ := s.output(ctx, "help") // the command list
	for _, c := range []string{"once", "status", "changes"} {
		if !bytes.Contains(out, []byte("  "+c+" ")) {
			return fmt.Errorf("bench: %s has no %q command (is cmd/stet still behind the stetwip build tag? then try --tags stetwip)", s.bin, c)
		}
	}
	return nil
}
