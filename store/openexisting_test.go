package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenExistingCreatesNothing(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "sub", "stet.db")
	if _, err := OpenExisting(ctx, p); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("missing: got %v, want ErrNoDatabase", err)
	}
	if _, err := os.Stat(filepath.Dir(p)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folder was created: %v", err)
	}
	os.MkdirAll(filepath.Dir(p), 0o700)
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenExisting(ctx, p)
	if err != nil {
		t.Fatalf("existing: %v", err)
	}
	s.Close()
}
