package store

// The two hooks cluster.go needs of the store's dialect, until the
// PostgreSQL store lands: SQLite only.

func (s *Store) isPostgres() bool { return false }

func (s *Store) rebind(q string) string { return q }
