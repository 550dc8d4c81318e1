package store

import (
	"encoding/hex"
	"fmt"
)

// Content hashes come from the caller as lower-case hex (64 characters for
// SHA-256). Since schema 4 such a hash is stored as its bytes, a BLOB of
// 32; any other string, and every hash stored before, stays as text. Read
// back, both are the hex string the caller gave.

// packHash is the stored form of a content hash.
func packHash(h string) any {
	if len(h) != 64 {
		return h
	}
	b, err := hex.DecodeString(h)
	if err != nil || hex.EncodeToString(b) != h { // upper case would not come back the same
		return h
	}
	return b
}

// hashDest scans a stored content hash.
type hashDest struct{ s *string }

func (d hashDest) Scan(v any) error {
	switch x := v.(type) {
	case string:
		*d.s = x
	case []byte:
		if len(x) == 32 {
			*d.s = hex.EncodeToString(x)
		} else {
			*d.s = string(x)
		}
	case nil:
		*d.s = ""
	default:
		return fmt.Errorf("store: cannot scan %T as a hash", v)
	}
	return nil
}
