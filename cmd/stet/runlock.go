//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/stet-news/stet/store"
)

// errDaemonRunning: another stet run holds the database.
var errDaemonRunning = errors.New("another stet run is using this database")

// The daemon holds an exclusive flock on DATABASE.run and writes its pid
// there. The kernel drops the lock when the process ends, however it ends
// (SIGKILL included), so a file left behind never claims a dead daemon.

func runLockPath(db string) string { return db + ".run" }

// lockRun takes the daemon's lock for the database at db; release gives it
// up. A second daemon on the same database is refused: it would fetch every
// feed twice.
//
// A PostgreSQL database takes no lock: several workers share it (the
// store's claims decide who fetches what).
func lockRun(db string) (release func(), err error) {
	if store.IsPostgres(db) {
		return func() {}, nil
	}
	p := runLockPath(db)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("run lock %s: %w", p, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(p)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (pid %s, lock %s)", errDaemonRunning, strings.TrimSpace(string(b)), p)
		}
		return nil, fmt.Errorf("run lock %s: %w", p, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0) //nolint:errcheck // the pid is for people; the lock is what counts
	}
	// The file stays: removing it would let a daemon starting meanwhile
	// lock a file nobody else can find.
	return func() {
		f.Truncate(0) //nolint:errcheck // the lock, not the pid, says who runs
		f.Close()
	}, nil
}

// daemonPID says whether a daemon holds the database at db, and its pid.
func daemonPID(db string) (pid int, running bool) {
	if store.IsPostgres(db) {
		return 0, false
	}
	p := runLockPath(db)
	f, err := os.Open(p)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // released on close anyway
		return 0, false
	}
	b, _ := os.ReadFile(p)
	pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, true
}
