package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse: any input is a configuration or one clear *Error, never a
// crash; what Parse accepts is valid and survives yaml.Marshal and Parse
// again unchanged. Seeds: testdata/fuzz/FuzzParse and the example file.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "deploy", "config.example.yaml")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(bytes.NewReader(b))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: ") || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("bad message %q", msg)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted what Validate refuses: %v", err)
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Parse of Marshal output: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("round trip changed the configuration:\n%s\ngot  %+v\nwant %+v", out, back, c)
		}
	})
}

// FuzzImportOPML: any input is feeds or an error, and the feeds printed by
// FeedsYAML always parse.
func FuzzImportOPML(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.opml"))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		feeds, err := ImportOPML(bytes.NewReader(b))
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error on several lines: %q", err)
			}
			return
		}
		out, err := FeedsYAML(feeds)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(bytes.NewReader(out)); err != nil {
			t.Fatalf("FeedsYAML output does not parse: %v\n%s", err, out)
		}
	})
}
