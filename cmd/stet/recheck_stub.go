package main

import "context"

// Rechecks re-fetches article pages that are due (issue 8).
func (a *App) Rechecks(ctx context.Context) error { return nil }
