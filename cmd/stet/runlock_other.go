//go:build !unix

package main

import "errors"

var errDaemonRunning = errors.New("another stet run is using this database")

// Without flock the daemon takes no lock and status cannot tell.
func lockRun(string) (func(), error) { return func() {}, nil }
func daemonPID(string) (int, bool)   { return 0, false }
