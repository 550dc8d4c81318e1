//go:build race

package pipeline

// raceEnabled: the race detector slows CPU-bound work several times over.
const raceEnabled = true
