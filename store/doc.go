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
		return "", "", errf("stored revision without its headline")
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
	h, text, _, _, err := decodeWithBase(headline, body, base)
	return h, text, err
}

// decodeWithBase is decodeRevision that also returns the base it read: its
// number and text (0 and "" for a revision stored whole).
func decodeWithBase(headline sql.NullString, body []byte, base baseLookup) (h, text string, baseNum int, baseText string, err error) {
	if baseNum, err = deltaBase(body); err != nil {
		return "", "", 0, "", err
	}
	if baseNum == 0 {
		content, err := decodeText(body)
		if err != nil {
			return "", "", 0, "", err
		}
		if headline.Valid {
			return headline.String, content, 0, "", nil
		}
		h, text, err = splitDoc(content)
		return h, text, 0, "", err
	}
	if !headline.Valid {
		return "", "", 0, "", fmt.Errorf("%w: no headline", errDelta)
	}
	if base == nil {
		return "", "", 0, "", fmt.Errorf("%w: base revision %d not at hand", errDelta, baseNum)
	}
	bh, bb, err := base(baseNum)
	if err != nil {
		return "", "", 0, "", errf("base revision %d: %w", baseNum, err)
	}
	if n, _ := deltaBase(bb); n != 0 {
		return "", "", 0, "", fmt.Errorf("%w: base revision %d is a delta itself", errDelta, baseNum)
	}
	if _, baseText, err = decodeRevision(bh, bb, nil); err != nil {
		return "", "", 0, "", errf("base revision %d: %w", baseNum, err)
	}
	text, err = decodeDelta(body, baseText)
	return headline.String, text, baseNum, baseText, err
}

// headlineDest scans COALESCE(headline, body) of a revision: the headline
// column, or the body of a whole revision that holds it.
// headlineTag marks a headline that PostgreSQL returns as bytes for
// COALESCE(r.headline, r.body) (dialect.go); no text codec is 0xff.
const headlineTag = 0xff

type headlineDest struct{ s *string }

func (d headlineDest) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.s = ""
	case string:
		*d.s = x
	case []byte:
		if len(x) > 0 && x[0] == headlineTag { // PostgreSQL's form (dialect.go)
			*d.s = string(x[1:])
			return nil
		}
		h, _, err := decodeRevision(sql.NullString{}, x, nil)
		if err != nil {
			return err
		}
		*d.s = h
	default:
		return errf("cannot scan %T as a headline", v)
	}
	return nil
}
