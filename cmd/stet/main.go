// Command stet watches news feeds and reports when published articles are
// silently changed: quotes reworded or reattributed, job titles corrected,
// headlines rewritten.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Run(ctx, NewEnv(), os.Args[1:]))
}
