package metrics

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMetricsNilAndZero(t *testing.T) {
	var m *Metrics // the daemon may run without
	m.Fetch("x", 200, false, time.Second)
	m.Revisions(1)
	m.Changes(1)
	m.DigestSent(true)
	var z Metrics
	z.Fetch("x", 200, false, time.Second)
	var b strings.Builder
	z.WriteTo(&b)
	if !strings.Contains(b.String(), `stet_fetches_total{feed="x",status="200"} 1`) {
		t.Errorf("zero value: %s", b.String())
	}
}

func TestHealthFollowsTheLastWrite(t *testing.T) {
	m := New()
	if err := m.Health(); err != nil {
		t.Fatalf("fresh: %v", err)
	}
	full := errors.New("database or disk is full")
	m.Write(full)
	if err := m.Health(); !errors.Is(err, ErrUnhealthy) || !errors.Is(err, full) {
		t.Fatalf("after a failed write: %v", err)
	}
	m.Write(nil)
	if err := m.Health(); err != nil {
		t.Fatalf("after a good write: %v", err)
	}
	m.Panic("https://f.example/")
	var b strings.Builder
	m.WriteTo(&b)
	for _, want := range []string{"stet_store_write_failures_total 1", "stet_store_last_write_ok 1", `stet_panics_total{feed="https://f.example/"} 1`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}
