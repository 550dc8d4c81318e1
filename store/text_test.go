package store

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// The dictionary is part of the stored format: codec 2 texts decode only
// with these exact bytes.
func TestNewsDictUnchanged(t *testing.T) {
	sum := sha256.Sum256(newsDict)
	if got, want := hex.EncodeToString(sum[:]), "730dab912c1607671edb725706b561ced204492016feb620e85b22b894d86d51"; got != want {
		t.Fatalf("dict/news.txt changed (sha256 %s, want %s): texts stored with codec 2 would not decode; add a new dictionary as a new codec instead", got, want)
	}
}

func TestOldCodecsStayReadable(t *testing.T) {
	text := seedText(t)
	var buf bytes.Buffer
	buf.WriteByte(codecDeflate)
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	w.Write([]byte(text))
	w.Close()
	for name, stored := range map[string][]byte{
		"raw":     append([]byte{codecRaw}, text...),
		"deflate": buf.Bytes(),
		"dict":    encodeDeflateDict(text),
		"zstd":    encodeText(text),
	} {
		got, err := decodeText(stored)
		if err != nil || got != text {
			t.Errorf("%s: got %d bytes, %v", name, len(got), err)
		}
	}
	if enc := encodeText(text); enc[0] != codecZstdDict || len(enc) >= buf.Len() {
		t.Errorf("new text: codec %d, %d bytes (plain DEFLATE %d)", enc[0], len(enc), buf.Len())
	}
	// A damaged stream is an error, and the reader it used still works.
	for _, codec := range []byte{codecDeflateDict, codecZstdDict} {
		if _, err := decodeText(append([]byte{codec}, 0xff, 0xff, 0xff)); err == nil {
			t.Errorf("damaged stream of codec %d: no error", codec)
		}
	}
	if got, err := decodeText(encodeText(text)); err != nil || got != text {
		t.Errorf("after a damaged stream: %v", err)
	}
}

func TestPackHash(t *testing.T) {
	h := hashOf("a", "b")
	for _, in := range []string{h, strings.ToUpper(h), "abc", "", "zz" + h[2:]} {
		var got string
		var v any = packHash(in)
		if b, ok := v.([]byte); ok {
			if in != h || len(b) != packedHash {
				t.Errorf("%q packed to %d bytes", in, len(b))
			}
		} else if v.(string) != in {
			t.Errorf("%q stored as %q", in, v)
		}
		if err := (hashDest{&got}).Scan(v); err != nil || !sameHash(got, in) {
			t.Errorf("%q came back as %q, %v", in, got, err)
		}
		for _, other := range []string{h, strings.ToUpper(h), "abc", ""} {
			if other != in && sameHash(got, other) {
				t.Errorf("%q read back as %q is the same as %q", in, got, other)
			}
		}
	}
}

// Hashes stored as hex text (before schema 4; schema 5 packs them) still match: an unchanged
// article is seen, and a return to an old text is a revert.
func TestHexHashesOfOldRows(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	f := mustFeed(t, s, "https://example.com/rss")
	a := cand("g1", "https://example.com/a", "H", "one")
	pass(t, s, f.ID, t0, []Candidate{a}, nil)
	b := a
	b.Text, b.Hash = "two", hashOf("H", "two")
	pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{b}, nil)
	var n int
	if err := s.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM revisions WHERE typeof(hash) = 'blob'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("hashes stored as blobs: %d, %v", n, err)
	}
	for i, h := range []string{a.Hash, b.Hash} {
		if _, err := s.write.ExecContext(ctx, `UPDATE revisions SET hash = ? WHERE number = ?`, h, i+1); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := s.Prepare(ctx, f.ID, []Candidate{b})
	if err != nil || len(plan.Seen) != 1 {
		t.Fatalf("unchanged against a hex hash: %+v %v", plan, err)
	}
	plan, _ = pass(t, s, f.ID, t0.Add(2*time.Hour), []Candidate{a}, nil)
	if len(plan.Pending) != 1 || plan.Pending[0].RevertOf != 1 {
		t.Fatalf("revert to a text with a hex hash: %+v", plan)
	}
	revs, err := s.Revisions(ctx, plan.Pending[0].ArticleID)
	if err != nil || len(revs) != 3 || revs[0].Hash != a.Hash || revs[1].Hash != b.Hash || !sameHash(revs[2].Hash, a.Hash) {
		t.Fatalf("revisions: %+v %v", revs, err)
	}
}
