package store

import (
	"bytes"
	"compress/flate"
	_ "embed"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Revision text is stored as one codec byte followed by the payload:
//
//	0  the text as is (used when compression would not save anything)
//	1  raw DEFLATE (RFC 1951) of the text
//	2  raw DEFLATE of the text with dict/news.txt as the preset dictionary
//	3  a zstd frame (fastest level, no checksum) with dict/news.txt as its
//	   raw dictionary, ID 1
//
// New texts are written with codec 3 (or 0): against codec 2 it compresses
// about 3.7 times faster (the DEFLATE writer hashes the whole dictionary for
// every text; zstd prepares it once) for about 9% more bytes of text. The
// first pass over a farm of new articles spent a third of its CPU in codec 2. New codecs get new numbers;
// old ones stay readable forever. A dictionary, once released, is part of
// the format and is never edited: a better one is a new file and a new
// codec (TestNewsDictUnchanged guards it).
const (
	codecRaw         = 0
	codecDeflate     = 1
	codecDeflateDict = 2
	codecZstdDict    = 3
)

// newsDict is common English news phrasing, the most frequent last (DEFLATE
// reaches back 32 KiB; nearer matches cost fewer bits). It lets short texts
// match from their first word: for ~1.3 KB articles it stores them in about
// four fifths of the bytes plain DEFLATE takes. It holds no article text.
//
//go:embed dict/news.txt
var newsDict []byte

// textLevel trades a little size for speed: with the dictionary, level 4
// is within 2% of level 6 in size and about 10% faster.
const textLevel = 4

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriterDict(nil, textLevel, newsDict)
	return w
}}

var flateReaders = sync.Pool{New: func() any {
	return flate.NewReaderDict(bytes.NewReader(nil), newsDict)
}}

// The zstd encoder and decoder are safe for concurrent use and keep the
// prepared dictionary.
var (
	zstdEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderDictRaw(1, newsDict), zstd.WithEncoderCRC(false), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
	zstdDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderDictRaw(1, newsDict), zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(64<<20))
)

// encodeText returns the stored form of text.
func encodeText(text string) []byte {
	if len(text) < 64 {
		return append([]byte{codecRaw}, text...)
	}
	dst := make([]byte, 1, len(text)/2+32)
	dst[0] = codecZstdDict
	dst = zstdEncoder.EncodeAll([]byte(text), dst)
	if len(dst) >= len(text)+1 {
		return append([]byte{codecRaw}, text...)
	}
	return dst
}

// encodeDeflateDict is codec 2, kept for tests of old rows.
func encodeDeflateDict(text string) []byte {
	var buf bytes.Buffer
	buf.WriteByte(codecDeflateDict)
	w := flateWriters.Get().(*flate.Writer)
	w.Reset(&buf)           // keeps the dictionary
	io.WriteString(w, text) // writes to a bytes.Buffer cannot fail
	w.Close()
	flateWriters.Put(w)
	return buf.Bytes()
}

// decodeText returns the text of a stored form.
func decodeText(b []byte) (string, error) {
	if len(b) == 0 {
		return "", errf("empty stored text")
	}
	switch b[0] {
	case codecRaw:
		return string(b[1:]), nil
	case codecDeflate:
		return inflate(b[1:], nil)
	case codecDeflateDict:
		return inflate(b[1:], newsDict)
	case codecZstdDict:
		out, err := zstdDecoder.DecodeAll(b[1:], nil)
		if err != nil {
			return "", errf("decompress text: %w", err)
		}
		return string(out), nil
	}
	return "", errf("unknown text codec %d", b[0])
}

// inflate decompresses raw DEFLATE with the given preset dictionary.
func inflate(p, dict []byte) (string, error) {
	r := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(p), dict); err != nil {
		return "", errf("decompress text: %w", err)
	}
	var out bytes.Buffer
	out.Grow(3 * len(p))
	if _, err := out.ReadFrom(r); err != nil {
		return "", errf("decompress text: %w", err)
	}
	return out.String(), nil
}
