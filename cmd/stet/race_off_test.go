//go:build !race

package main

// raceEnabled: the race detector slows CPU-bound work several times over.
const raceEnabled = false
