// Package testpg gives tests a real PostgreSQL database on loopback.
//
// URL(t) returns the URL of a fresh, empty database for one test and drops
// it when the test ends. The server is, in order of preference: the one
// named by STET_TEST_PG (a URL to a server where the user may create
// databases; .ci/run starts one and sets it), or one this test binary starts
// itself from Debian's postgresql binaries (initdb, postgres) in a
// temporary directory on a free port, stopped when the binary exits. When
// neither can be had the test is skipped with one line saying why.
package testpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names a server to use instead of starting one.
const Env = "STET_TEST_PG"

var (
	once    sync.Once
	baseURL string
	why     error
)

// URL returns the URL of a new empty database for t, dropped at its end.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { baseURL, why = server() })
	if why != nil {
		t.Skipf("testpg: no PostgreSQL (%v); set %s or install postgresql", why, Env)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		t.Fatalf("testpg: connect %s: %v", redact(baseURL), err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "stet_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testpg: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, baseURL)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, _ := url.Parse(baseURL)
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(bad URL)"
	}
	return u.Redacted()
}

// server returns the URL of a server's maintenance database.
func server() (string, error) {
	if s := os.Getenv(Env); s != "" {
		return s, nil
	}
	return start()
}

// binDir finds the newest Debian postgresql binaries, or initdb on PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("initdb not found")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// start runs initdb and postgres in a temporary directory. initdb refuses
// root, so as root both run as the postgres user. The server gets
// SIGQUIT (immediate shutdown) when this process exits.
func start() (string, error) {
	bin, err := binDir()
	if err != nil {
		return "", err
	}
	var cred *syscall.Credential
	owner := -1
	ownerG := -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", errors.New("running as root and there is no postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		owner, ownerG = uid, gid
	}
	sweep()
	dir, err := os.MkdirTemp("", "stet-testpg-")
	if err != nil {
		return "", err
	}
	data := filepath.Join(dir, "data")
	if owner >= 0 {
		if err := os.Chown(dir, owner, ownerG); err != nil {
			return "", err
		}
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("initdb: %v: %s", err, lastLine(out))
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	errc := make(chan error, 1)
	// Pdeathsig is sent when the thread that started the child exits, so
	// the goroutine keeps its thread for the life of the process.
	go func() {
		runtime.LockOSThread()
		cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
		cmd.Dir = dir
		log, _ := os.Create(filepath.Join(dir, "log"))
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			errc <- err
			return
		}
		errc <- nil
		_ = cmd.Wait()
		os.RemoveAll(dir)
		select {} // keep the thread
	}()
	if err := <-errc; err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, u)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return u, nil
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "log"))
			return "", fmt.Errorf("postgres did not start: %v: %s", err, lastLine(b))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sweep removes the directories of earlier test binaries whose server is
// gone (the binary exited before it could remove its own).
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "stet-testpg-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid"))
		if err == nil {
			pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
			if pid > 0 && syscall.Kill(pid, 0) == nil {
				continue
			}
		}
		if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > time.Minute {
			os.RemoveAll(d)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
