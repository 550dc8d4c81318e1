package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// workersStatus prints the workers of a PostgreSQL database's cluster:
// each with its host, user agent, last heartbeat, the feeds it holds now
// and whether it leads (sends the digest, rechecks pages).
func (a *App) workersStatus(ctx context.Context, w io.Writer) error {
	ws, err := a.store.Cluster(nil).Workers(ctx)
	if err != nil {
		return err
	}
	if len(ws) == 0 {
		fmt.Fprintf(w, "workers: none running on this database\n\n")
		return nil
	}
	fmt.Fprintf(w, "workers: %d\n", len(ws))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKER\tHOST\tPID\tUSER AGENT\tLAST SEEN\tFEEDS HELD\tLEADER")
	now := a.now()
	for _, wk := range ws {
		leader := "no"
		if wk.Leader {
			leader = "yes"
		}
		ago := now.Sub(wk.Seen).Round(time.Second)
		seen := fmtTime(wk.Seen)
		if ago >= 0 && ago < 24*time.Hour {
			seen = ago.String() + " ago"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t%s\n", wk.ID, wk.Host, wk.PID, orDash(truncate(wk.UserAgent, 40)), seen, wk.Held, leader)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return nil
}
