package main

import (
	"context"
	"io"
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == measureArg {
		measureMain(os.Args[2:])
		return
	}
	os.Exit(m.Run())
}

// TestMeasureExcludesParent: a child's peak RSS must not include the
// benchmark's own (the farm's) memory.
func TestMeasureExcludesParent(t *testing.T) {
	sh := "/bin/sh"
	if _, err := os.Stat(sh); err != nil {
		t.Skip("no /bin/sh")
	}
	ballast := make([]byte, 256<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1 // resident
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		name     string
		argv     []string
		wantExit int
		wantErr  bool
	}{
		{"success", []string{sh, "-c", "exit 0"}, 0, false},
		{"failure", []string{sh, "-c", "exit 3"}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := runMeasured(ctx, tt.argv, nil, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if m.Exit != tt.wantExit {
				t.Errorf("exit %d, want %d", m.Exit, tt.wantExit)
			}
			if m.MaxRSS <= 0 || m.MaxRSS > 128<<20 {
				t.Errorf("child's peak RSS %d MB: want more than 0 and far less than the parent's 256 MB", m.MaxRSS>>20)
			}
		})
	}
	ballast[0] = 2
}
