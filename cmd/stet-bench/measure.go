package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Peak RSS of a child comes from wait4's rusage. On Linux a child's
// ru_maxrss starts from the high-water mark of the address space it was
// exec'd from, and Go starts children with CLONE_VM, i.e. from the parent's
// address space: every stet would report at least the farm's resident size.
// So stet is started by a small helper (this binary again, measureArg),
// whose own address space is a few MB; the helper waits for stet and prints
// its rusage as JSON.
const measureArg = "__measure"

type measured struct {
	WallNS    int64   `json:"wall_ns"`
	CPU       float64 `json:"cpu_s"`
	MaxRSS    int64   `json:"max_rss"`
	Preempted int64   `json:"nivcsw"`
	Exit      int     `json:"exit"`
	Err       string  `json:"err,omitempty"`
}

// measureMain is the helper: run argv, report on stdout.
func measureMain(argv []string) {
	var m measured
	if len(argv) == 0 {
		m.Err = "nothing to run"
	} else {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		start := time.Now()
		err := cmd.Run()
		m.WallNS = int64(time.Since(start))
		if cmd.ProcessState != nil {
			m.CPU = cpuTime(cmd.ProcessState)
			m.MaxRSS = maxRSS(cmd.ProcessState)
			m.Preempted = involuntarySwitches(cmd.ProcessState)
			m.Exit = cmd.ProcessState.ExitCode()
		}
		if err != nil {
			m.Err = err.Error()
		}
	}
	json.NewEncoder(os.Stdout).Encode(m) //nolint:errcheck // nothing to do about it
}

// runMeasured runs argv through the helper, the helper's standard error
// (stet's logs) going to stderr, and returns what the helper measured.
func runMeasured(ctx context.Context, argv, env []string, stderr io.Writer) (measured, error) {
	self, err := os.Executable()
	if err != nil {
		return measured{}, fmt.Errorf("bench: measure helper: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, append([]string{measureArg}, argv...)...)
	cmd.Env = append(os.Environ(), env...)
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = stderr
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	var m measured
	if jerr := json.Unmarshal([]byte(out.String()), &m); jerr != nil {
		if err == nil {
			err = jerr
		}
		return m, fmt.Errorf("bench: measure helper: %w", err)
	}
	if m.Err != "" {
		return m, errors.New(m.Err)
	}
	return m, err
}
