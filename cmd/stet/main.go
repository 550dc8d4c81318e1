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

func main() { os.Exit(realMain()) }

// realMain runs stet with the process's arguments until done or until
// SIGINT/SIGTERM asks it to stop.
func realMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, NewEnv(), os.Args[1:])
}
