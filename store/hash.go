package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/stet-news/stet/diff"
)

// ContentHash is the identity of a revision's content: the SHA-256 (hex)
// of its headline and text with typography and white space folded
// (diff.Normalize), so that a cosmetic republish is not a new revision.
// Prepare computes it for every candidate.
func ContentHash(headline, text string) string {
	sum := sha256.Sum256([]byte(diff.Normalize(headline + "\n\n" + text)))
	return hex.EncodeToString(sum[:])
}

// Content hashes are lower-case hex (64 characters for
// SHA-256). A hash is only ever compared with the hashes of the same
// article's revisions, so since schema 5 its first 8 bytes are stored, a
// BLOB (schema 4 stored all 32; before that, the hex text). Any other string
// is stored as text. Read back, a stored hash is the hex of what was stored:
// 16 characters for a packed SHA-256; sameHash compares it with the
// caller's.

const packedHash = 8

// packHash is the stored form of a content hash.
func packHash(h string) any {
	if len(h) != 2*32 {
		return h
	}
	b, err := hex.DecodeString(h)
	if err != nil || hex.EncodeToString(b) != h { // upper case would not come back the same
		return h
	}
	return b[:packedHash]
}

// packHash is the stored form of a content hash in this store: PostgreSQL's
// hash column is BYTEA, and takes a hash that is not packed as its bytes.
func (s *Store) packHash(h string) any {
	v := packHash(h)
	if str, ok := v.(string); ok && s.pg {
		return []byte(str)
	}
	return v
}

// hashArg is a content hash as a parameter compared with the hash column.
func (s *Store) hashArg(h string) any {
	if s.pg {
		return []byte(h)
	}
	return h
}

// sameHash says whether a hash read back (hashDest) is the caller's hash h.
func sameHash(stored, h string) bool {
	if stored == h {
		return true
	}
	return len(stored) == 2*packedHash && len(h) == 2*32 && strings.HasPrefix(h, stored)
}

// hashDest scans a stored content hash.
type hashDest struct{ s *string }

func (d hashDest) Scan(v any) error {
	switch x := v.(type) {
	case string:
		*d.s = x
	case []byte:
		if len(x) == packedHash || len(x) == 32 {
			*d.s = hex.EncodeToString(x)
		} else {
			*d.s = string(x)
		}
	case nil:
		*d.s = ""
	default:
		return errf("cannot scan %T as a hash", v)
	}
	return nil
}
