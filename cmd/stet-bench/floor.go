package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// floorResult is the pure transfer of one pass: the same requests, bodies
// read and thrown away.
type floorResult struct {
	Wall       time.Duration
	OK, NotMod int
	Bytes      int64
}

// floor fetches every URL once, at most workers at a time, with a fresh
// plain net/http client, sending If-None-Match when etags[i] is set.
func floor(ctx context.Context, urls, etags []string, workers int) (floorResult, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConns:        workers,
		MaxIdleConnsPerHost: workers,
		MaxConnsPerHost:     workers,
		IdleConnTimeout:     30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var (
		next     atomic.Int64
		ok, nm   atomic.Int64
		nbytes   atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(urls) || ctx.Err() != nil {
					return
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, urls[i], nil)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				if etags != nil && etags[i] != "" {
					req.Header.Set("If-None-Match", etags[i])
				}
				resp, err := client.Do(req)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				nbytes.Add(n)
				switch resp.StatusCode {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusNotModified:
					nm.Add(1)
				default:
					errOnce.Do(func() { firstErr = fmt.Errorf("bench: floor: %s: %s", urls[i], resp.Status) })
				}
			}
		}()
	}
	wg.Wait()
	res := floorResult{Wall: time.Since(start), OK: int(ok.Load()), NotMod: int(nm.Load()), Bytes: nbytes.Load()}
	if firstErr != nil {
		return res, fmt.Errorf("bench: floor: %w", firstErr)
	}
	return res, ctx.Err()
}

// floorBest is the fastest of n floor runs: transfer on a shared machine is
// noisy, and the floor is meant as the least a pass could cost.
func floorBest(ctx context.Context, urls, etags []string, workers, n int) (floorResult, error) {
	var best floorResult
	for k := range n {
		r, err := floor(ctx, urls, etags, workers)
		if err != nil {
			return r, err
		}
		if k == 0 || r.Wall < best.Wall {
			best = r
		}
	}
	return best, nil
}
