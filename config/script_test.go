package config

import (
	"os/exec"
	"testing"
)

func runScript(t *testing.T, path string, args ...string) ([]byte, error) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	return exec.Command("sh", append([]string{path}, args...)...).CombinedOutput()
}
