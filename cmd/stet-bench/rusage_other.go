//go:build !unix

package main

import "os"

func maxRSS(ps *os.ProcessState) int64 { return 0 }

func cpuTime(ps *os.ProcessState) float64 { return (ps.UserTime() + ps.SystemTime()).Seconds() }

func involuntarySwitches(ps *os.ProcessState) int64 { return 0 }
