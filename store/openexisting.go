package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrNoDatabase: OpenExisting found no database at the path.
var ErrNoDatabase = errors.New("store: no database")

// OpenExisting opens the database at path like Open, but refuses to create
// one: commands that only read (status, changes, check, export, ...) must not
// leave an empty database behind a mistyped path or an unset config key.
//
// A PostgreSQL database without stet's schema is ErrNoDatabase too.
func OpenExisting(ctx context.Context, path string) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path, true)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Size() == 0 {
		return nil, fmt.Errorf("store: open %s: %w (set database: in the configuration file, or run stet once or stet run first)", path, ErrNoDatabase)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return Open(ctx, path)
}
