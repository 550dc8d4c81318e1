package store

// cluster.go's view of the dialect: the statements are written with ? and
// ?N placeholders, which the PostgreSQL connection rewrites (dialect.go).

func (s *Store) isPostgres() bool { return s.pg }

func (s *Store) rebind(q string) string { return q }
