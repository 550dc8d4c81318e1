package store

import "fmt"

// packHash is the stored form of a content hash.
func packHash(h string) any { return h }

// hashDest scans a stored content hash.
type hashDest struct{ s *string }

func (d hashDest) Scan(v any) error {
	switch x := v.(type) {
	case string:
		*d.s = x
	case []byte:
		*d.s = string(x)
	case nil:
		*d.s = ""
	default:
		return fmt.Errorf("store: cannot scan %T as a hash", v)
	}
	return nil
}
