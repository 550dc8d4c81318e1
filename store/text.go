package store

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"sync"
)

// Revision text is stored as one codec byte followed by the payload:
//
//	0  the text as is (used when compression would not save anything)
//	1  raw DEFLATE (RFC 1951) of the text
//
// New codecs get new numbers; old ones stay readable forever.
const (
	codecRaw     = 0
	codecDeflate = 1
)

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

// encodeText returns the stored form of text.
func encodeText(text string) []byte {
	if len(text) < 64 {
		return append([]byte{codecRaw}, text...)
	}
	var buf bytes.Buffer
	buf.Grow(len(text)/2 + 16)
	buf.WriteByte(codecDeflate)
	w := flateWriters.Get().(*flate.Writer)
	w.Reset(&buf)
	io.WriteString(w, text) // writes to a bytes.Buffer cannot fail
	w.Close()
	flateWriters.Put(w)
	if buf.Len() >= len(text)+1 {
		return append([]byte{codecRaw}, text...)
	}
	return buf.Bytes()
}

// decodeText returns the text of a stored form.
func decodeText(b []byte) (string, error) {
	if len(b) == 0 {
		return "", fmt.Errorf("store: empty stored text")
	}
	switch b[0] {
	case codecRaw:
		return string(b[1:]), nil
	case codecDeflate:
		r := flate.NewReader(bytes.NewReader(b[1:]))
		defer r.Close()
		out, err := io.ReadAll(r)
		if err != nil {
			return "", fmt.Errorf("store: decompress text: %w", err)
		}
		return string(out), nil
	}
	return "", fmt.Errorf("store: unknown text codec %d", b[0])
}
