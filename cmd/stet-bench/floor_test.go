package main

import (
	"context"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/farm"
)

func TestFloor(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fm := farm.New(1, 3, 2)
	if err := fm.Start(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	defer fm.Close()
	res, err := floor(ctx, []string{fm.URL(0), fm.URL(1), fm.URL(2)}, []string{fm.ETag(0), "", ""}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK != 2 || res.NotMod != 1 || res.Bytes == 0 {
		t.Errorf("floor: %+v, want 2 OK, 1 not modified", res)
	}
}

func TestParseSizes(t *testing.T) {
	tests := []struct {
		in      string
		want    [][2]int
		wantErr bool
	}{
		{"200x50,2000x50,10000x20", [][2]int{{200, 50}, {2000, 50}, {10000, 20}}, false},
		{" 10X2 ", [][2]int{{10, 2}}, false},
		{"10", nil, true},
		{"0x5", nil, true},
		{"x", nil, true},
		{"", nil, true},
		{"1000000x1", nil, true},
	}
	for _, tt := range tests {
		got, err := parseSizes(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseSizes(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("parseSizes(%q) = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for k := range got {
			if got[k] != tt.want[k] {
				t.Errorf("parseSizes(%q) = %v, want %v", tt.in, got, tt.want)
			}
		}
	}
}
