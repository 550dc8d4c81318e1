package feeds

import (
	"bytes"
	"io"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16BE = []byte{0xFE, 0xFF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF32BE = []byte{0x00, 0x00, 0xFE, 0xFF}
	bomUTF32LE = []byte{0xFF, 0xFE, 0x00, 0x00}
)

// toUTF8 returns the document as clean UTF-8: byte order mark removed,
// decoded from the encoding that the bytes, the Content-Type and the XML
// prolog point to, characters illegal in XML removed, and the prolog's
// encoding declaration rewritten to utf-8 so that the XML decoder does not
// decode a second time.
//
// Bytes that are already valid UTF-8 are kept as they are whatever the
// declarations say: a prolog claiming ISO-8859-1 over UTF-8 bytes is a lie
// that would otherwise produce mojibake. Invalid UTF-8 is decoded with the
// charset of the Content-Type, else of the prolog; with neither (or both
// saying UTF-8), it is taken as UTF-8 with the bad bytes replaced when most
// of its non-ASCII bytes form UTF-8, and as Windows-1252 otherwise.
func toUTF8(b []byte, contentType string) []byte {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		b = b[len(bomUTF8):]
	case bytes.HasPrefix(b, bomUTF32BE):
		enc = utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, bomUTF32LE):
		enc = utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, bomUTF16BE):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(b, bomUTF16LE):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0, 0, 0, '<'}):
		enc = utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	case bytes.HasPrefix(b, []byte{'<', 0, 0, 0}):
		enc = utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	case bytes.HasPrefix(b, []byte{0, '<'}), bytes.HasPrefix(b, []byte{0, '{'}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case bytes.HasPrefix(b, []byte{'<', 0}), bytes.HasPrefix(b, []byte{'{', 0}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	}
	if enc != nil {
		if out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(b))); err == nil {
			b = out
		}
		b = bytes.TrimPrefix(b, bomUTF8)
	}
	if !utf8.Valid(b) {
		b = decodeLegacy(b, contentType)
	}
	return fixProlog(stripIllegal(b))
}

// decodeLegacy decodes bytes that are not valid UTF-8.
func decodeLegacy(b []byte, contentType string) []byte {
	for _, label := range []string{contentTypeCharset(contentType), prologEncoding(b)} {
		if label == "" || isUTF8Label(label) {
			continue
		}
		if enc, _ := charset.Lookup(label); enc != nil {
			r, err := charset.NewReaderLabel(label, bytes.NewReader(b))
			if err != nil {
				continue
			}
			out, err := io.ReadAll(r)
			if err != nil {
				continue
			}
			return bytes.ToValidUTF8(out, []byte("\uFFFD"))
		}
	}
	if mostlyUTF8(b) {
		return bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return out
}

// mostlyUTF8 reports whether at least half the non-ASCII sequences of b are
// valid multi-byte UTF-8.
func mostlyUTF8(b []byte) bool {
	good, bad := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			good++
		}
		i += n
	}
	return good > 0 && good >= bad
}

func isUTF8Label(label string) bool {
	l := strings.ToLower(strings.TrimSpace(label))
	return l == "utf-8" || l == "utf8" || l == "unicode-1-1-utf-8"
}

func contentTypeCharset(ct string) string {
	if ct == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

var encodingAttr = regexp.MustCompile(`(?i)(\sencoding\s*=\s*)(?:"[^"]*"|'[^']*')`)

// prolog returns the XML declaration at the start of b (after white space),
// and its end offset; nil when there is none.
func prolog(b []byte) ([]byte, int, int) {
	start := len(b) - len(bytes.TrimLeft(b, " \t\r\n"))
	if !bytes.HasPrefix(b[start:], []byte("<?xml")) {
		return nil, 0, 0
	}
	end := bytes.Index(b[start:], []byte("?>"))
	if end < 0 || end > 512 {
		return nil, 0, 0
	}
	end += start + 2
	return b[start:end], start, end
}

func prologEncoding(b []byte) string {
	p, _, _ := prolog(b)
	if p == nil {
		return ""
	}
	m := encodingAttr.Find(p)
	if m == nil {
		return ""
	}
	v := m[bytes.IndexByte(m, '=')+1:]
	return strings.Trim(strings.TrimSpace(string(v)), `"'`)
}

// fixProlog rewrites the prolog's encoding declaration, if any, to utf-8.
func fixProlog(b []byte) []byte {
	p, start, end := prolog(b)
	if p == nil {
		return b
	}
	m := encodingAttr.FindSubmatchIndex(p)
	if m == nil {
		return b
	}
	val := string(p[m[3]:m[1]])
	if strings.EqualFold(strings.Trim(val, `"'`), "utf-8") {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:start]...)
	out = append(out, p[:m[3]]...)
	out = append(out, `"utf-8"`...)
	out = append(out, p[m[1]:]...)
	out = append(out, b[end:]...)
	return out
}

// stripIllegal removes characters that XML 1.0 does not allow (C0 controls
// other than tab, newline and carriage return; U+FFFE and U+FFFF), and
// replaces C1 controls (U+0080 to U+009F) by the Windows-1252 characters
// of the same code: they are the trace of Windows-1252 text taken for
// ISO-8859-1 (U+0092 was a right single quote). b must be valid UTF-8. It
// copies only when there is something to change.
func stripIllegal(b []byte) []byte {
	clean := true
	for i := 0; i < len(b); i++ {
		c := b[i]
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			(c == 0xC2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9F) ||
			(c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF)) {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF:
		case r >= 0x80 && r <= 0x9F:
			if w := charmap.Windows1252.DecodeByte(byte(r)); w != utf8.RuneError && (w < 0x80 || w > 0x9F) {
				out = utf8.AppendRune(out, w)
			}
		default:
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
