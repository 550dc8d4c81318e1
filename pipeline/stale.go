package pipeline

import (
	"context"
	"os"
	"strconv"
	"strings"
)

// releaseStopped gives back at once what stopped stet processes on this
// host still hold: a worker or a `stet once` killed with SIGKILL leaves its
// claims live for a lease, and a `stet once` run after it would skip those
// feeds and store nothing of them. A worker ID is host-pid-random
// (newClusterState), so a claim of this host whose process is gone is
// known dead without waiting; claims of other hosts wait for their lease.
// A pid reused by another process counts as alive: the lease still ends it.
func (p *Pipeline) releaseStopped(ctx context.Context) {
	c := p.cl
	host, err := os.Hostname()
	if c == nil || err != nil || host == "" {
		return
	}
	ids := map[string]bool{}
	if held, err := c.cs.Holders(ctx); err == nil {
		for _, w := range held {
			ids[w] = true
		}
	}
	if ws, err := c.cs.Workers(ctx); err == nil {
		for _, w := range ws {
			ids[w.ID] = true
		}
	}
	for id := range ids {
		pid, ok := localPID(id, host)
		if !ok || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if err := c.cs.Unregister(ctx, id); err != nil {
			p.log.Warn("cluster: give back the feeds of a stopped stet", "worker", id, "err", oneLine(err.Error()))
			continue
		}
		p.log.Info("cluster: gave back the feeds of a stet on this host that stopped without doing so", "worker", id, "pid", pid)
	}
}

// localPID is the process ID in a worker ID of host. The ID is read from
// the right (host-pid-random; the random part is hex), so a host whose
// name has dashes, or is a prefix of another's, is told apart.
func localPID(id, host string) (int, bool) {
	i := strings.LastIndexByte(id, '-')
	if i < 0 {
		return 0, false
	}
	j := strings.LastIndexByte(id[:i], '-')
	if j < 0 || id[:j] != host {
		return 0, false
	}
	pid, err := strconv.Atoi(id[j+1 : i])
	return pid, err == nil && pid > 0
}
