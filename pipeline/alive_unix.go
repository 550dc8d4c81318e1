//go:build unix

package pipeline

import (
	"errors"
	"syscall"
)

// processAlive says whether a process with this ID exists (EPERM: it
// does, another user's).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
