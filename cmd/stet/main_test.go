package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary act as the stet binary, so that tests can
// run it as a subprocess (and kill it) without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("STET_TEST_MAIN") == "1" {
		os.Exit(realMain())
	}
	os.Exit(m.Run())
}
