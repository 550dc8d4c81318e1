package store

import (
	"database/sql"
	"fmt"
	"strings"
)

// Since schema 5, a revision stored whole keeps its headline in the body,
// compressed with the text (a headline alone does not compress, and its
// words are the text's): the body holds the headline, "\n\n" and the text,
// and the headline column is NULL. A headline with a line break, and a
// revision stored as a delta (delta.go), keep the headline in its column
// and the text alone in the body, as every revision did before.

// docable says whether headline can be stored in the body: the first
// "\n\n" then ends it.
func docable(headline string) bool { return !strings.Contains(headline, "\n") }

// splitDoc splits a body's content into headline and text.
func splitDoc(doc string) (headline, text string, err error) {
	i := strings.Index(doc, paraSep)
	if i < 0 {
		return "", "", fmt.Errorf("store: stored revision without its headline")
	}
	return doc[:i], doc[i+len(paraSep):], nil
}

// encodeRevision returns the stored headline column (nil: in the body) and
// the whole stored body of a revision.
func encodeRevision(headline, text string) (any, []byte) {
	if docable(headline) {
		return nil, encodeText(headline + paraSep + text)
	}
	return headline, encodeText(text)
}

// baseLookup returns the stored headline column and body of revision
// number of the article being decoded.
type baseLookup func(number int) (sql.NullString, []byte, error)

// decodeRevision returns the headline and text of a stored revision,
// reading its base through base when it is a delta.
func decodeRevision(headline sql.NullString, body []byte, base baseLookup) (string, string, error) {
	num, err := deltaBase(body)
	if err != nil {
		return "", "", err
	}
	if num == 0 {
		content, err := decodeText(body)
		if err != nil {
			return "", "", err
		}
		if headline.Valid {
			return headline.String, content, nil
		}
		return splitDoc(content)
	}
	if !headline.Valid {
		return "", "", fmt.Errorf("%w: no headline", errDelta)
	}
	if base == nil {
		return "", "", fmt.Errorf("%w: base revision %d not at hand", errDelta, num)
	}
	bh, bb, err := base(num)
	if err != nil {
		return "", "", fmt.Errorf("store: base revision %d: %w", num, err)
	}
	if n, _ := deltaBase(bb); n != 0 {
		return "", "", fmt.Errorf("%w: base revision %d is a delta itself", errDelta, num)
	}
	_, bt, err := decodeRevision(bh, bb, nil)
	if err != nil {
		return "", "", fmt.Errorf("store: base revision %d: %w", num, err)
	}
	text, err := decodeDelta(body, bt)
	return headline.String, text, err
}

// headlineDest scans COALESCE(headline, body) of a revision: the headline
// column, or the body of a whole revision that holds it.
type headlineDest struct{ s *string }

func (d headlineDest) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.s = ""
	case string:
		*d.s = x
	case []byte:
		h, _, err := decodeRevision(sql.NullString{}, x, nil)
		if err != nil {
			return err
		}
		*d.s = h
	default:
		return fmt.Errorf("store: cannot scan %T as a headline", v)
	}
	return nil
}
