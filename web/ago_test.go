package web

import (
	"testing"
	"time"
)

func TestAgoSaysWhichWay(t *testing.T) {
	now := time.Date(2026, 12, 8, 23, 47, 30, 0, time.UTC)
	tests := []struct {
		t    time.Time
		want string
	}{
		{now.Add(-20 * time.Second), "just now"},
		{now.Add(20 * time.Second), "in under a minute"}, // was "just now" for a future fetch
		{now.Add(-5 * time.Minute), "5 min ago"},
		{now.Add(5 * time.Minute), "in 5 min"},
		{now.Add(3 * time.Hour), "in 3 h"},
	}
	for _, tt := range tests {
		if got := ago(tt.t, now); got != tt.want {
			t.Errorf("ago(%v): got %q, want %q", tt.t.Sub(now), got, tt.want)
		}
	}
}
