package main

import (
	"io"
	"os"
)

// openInput opens a file named on the command line; "-" is standard input.
func openInput(env *Env, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(env.Stdin), nil
	}
	return os.Open(name)
}
