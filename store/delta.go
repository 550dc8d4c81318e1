package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// An edited article mostly repeats its previous revision: a reworded quote
// or a corrected title changes one paragraph of twenty. Such a revision is
// stored as its differences from an earlier revision of the same article,
// its base, which is itself stored whole (codecs 0-3), so that reading any
// revision takes at most two decodings:
//
//	4  uvarint base number, uvarint op count, the ops, then the new
//	   paragraphs concatenated, stored as a text (codec byte + payload)
//
// Paragraphs are the text split at "\n\n" (joining them back gives the
// text, whatever it holds). An op is a uvarint n<<1|kind: kind 0 copies n
// paragraphs of the base from a uvarint start; kind 1 takes n new
// paragraphs, each given by its uvarint length, from the concatenation.
//
// A delta is stored only when it is less than half the whole text's stored
// size; otherwise the revision is stored whole and becomes the base of the
// next ones.
const codecDelta = 4

const paraSep = "\n\n"

// maxDeltaText bounds the text a delta may decode to (hostile bytes could
// copy the base many times over).
const maxDeltaText = 64 << 20

var errDelta = errors.New("store: bad delta")

// encodeDelta returns the delta of text from base (revision baseNum), and
// whether it is worth storing: shorter than limit bytes (half the whole
// stored form, less the headline the delta keeps in its column).
func encodeDelta(baseNum int, base, text string, limit int) ([]byte, bool) {
	if baseNum <= 0 {
		return nil, false
	}
	bp := strings.Split(base, paraSep)
	np := strings.Split(text, paraSep)
	at := make(map[string]int, len(bp)) // first position of each base paragraph
	for i := len(bp) - 1; i >= 0; i-- {
		at[bp[i]] = i
	}
	out := make([]byte, 1, 64)
	out[0] = codecDelta
	out = binary.AppendUvarint(out, uint64(baseNum))
	var ops []byte
	nops := 0
	var lit strings.Builder
	var litLens []int
	flush := func() {
		if len(litLens) == 0 {
			return
		}
		ops = binary.AppendUvarint(ops, uint64(len(litLens))<<1|1)
		for _, n := range litLens {
			ops = binary.AppendUvarint(ops, uint64(n))
		}
		nops++
		litLens = litLens[:0]
	}
	next := -1 // the base paragraph after the last copied one
	for i := 0; i < len(np); {
		j := -1
		if next >= 0 && next < len(bp) && bp[next] == np[i] {
			j = next
		} else if k, ok := at[np[i]]; ok {
			j = k
		}
		if j < 0 {
			lit.WriteString(np[i])
			litLens = append(litLens, len(np[i]))
			i++
			continue
		}
		flush()
		n := 0
		for i+n < len(np) && j+n < len(bp) && np[i+n] == bp[j+n] {
			n++
		}
		ops = binary.AppendUvarint(ops, uint64(n)<<1)
		ops = binary.AppendUvarint(ops, uint64(j))
		nops++
		i += n
		next = j + n
	}
	flush()
	out = binary.AppendUvarint(out, uint64(nops))
	out = append(out, ops...)
	out = append(out, encodeText(lit.String())...)
	if len(out) >= limit {
		return nil, false
	}
	return out, true
}

// deltaBase returns the base revision number of a stored delta, 0 for a
// text stored whole.
func deltaBase(b []byte) (int, error) {
	if len(b) == 0 || b[0] != codecDelta {
		return 0, nil
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || n == 0 || n > 1<<31 {
		return 0, fmt.Errorf("%w: base number", errDelta)
	}
	return int(n), nil
}

// decodeDelta applies a stored delta to its base's text.
func decodeDelta(b []byte, base string) (string, error) {
	if len(b) == 0 || b[0] != codecDelta {
		return "", fmt.Errorf("%w: not a delta", errDelta)
	}
	p := b[1:]
	uv := func(what string) (uint64, error) {
		v, k := binary.Uvarint(p)
		if k <= 0 {
			return 0, fmt.Errorf("%w: %s", errDelta, what)
		}
		p = p[k:]
		return v, nil
	}
	if _, err := uv("base number"); err != nil {
		return "", err
	}
	nops, err := uv("op count")
	if err != nil {
		return "", err
	}
	if nops > uint64(len(p)) { // every op takes a byte at least
		return "", fmt.Errorf("%w: %d ops in %d bytes", errDelta, nops, len(p))
	}
	type op struct {
		copy       bool
		start, n   int
		litLengths []int
	}
	ops := make([]op, 0, nops)
	for range nops {
		v, err := uv("op")
		if err != nil {
			return "", err
		}
		n := v >> 1
		// A text of L bytes has at most L/2+1 paragraphs; a new paragraph
		// takes a byte of the ops at least.
		if n == 0 || (v&1 == 0 && n > uint64(len(base))/2+1) || (v&1 == 1 && n > uint64(len(p))) {
			return "", fmt.Errorf("%w: op of %d paragraphs", errDelta, n)
		}
		o := op{copy: v&1 == 0, n: int(n)}
		if o.copy {
			start, err := uv("copy start")
			if err != nil {
				return "", err
			}
			if start > uint64(len(base)) {
				return "", fmt.Errorf("%w: copy from paragraph %d", errDelta, start)
			}
			o.start = int(start)
		} else {
			o.litLengths = make([]int, o.n)
			for i := range o.litLengths {
				l, err := uv("paragraph length")
				if err != nil {
					return "", err
				}
				if l > maxDeltaText {
					return "", fmt.Errorf("%w: paragraph of %d bytes", errDelta, l)
				}
				o.litLengths[i] = int(l)
			}
		}
		ops = append(ops, o)
	}
	lit, err := decodeText(p)
	if err != nil {
		return "", errf("delta's new paragraphs: %w", err)
	}
	bp := strings.Split(base, paraSep)
	var out []string
	size := 0
	for _, o := range ops {
		if o.copy {
			if o.start+o.n > len(bp) {
				return "", fmt.Errorf("%w: copy of paragraphs %d..%d from %d", errDelta, o.start, o.start+o.n, len(bp))
			}
			for _, s := range bp[o.start : o.start+o.n] {
				size += len(s) + len(paraSep)
				out = append(out, s)
			}
		} else {
			for _, l := range o.litLengths {
				if l > len(lit) {
					return "", fmt.Errorf("%w: new paragraph of %d bytes, %d left", errDelta, l, len(lit))
				}
				size += l + len(paraSep)
				out = append(out, lit[:l])
				lit = lit[l:]
			}
		}
		if size > maxDeltaText {
			return "", fmt.Errorf("%w: text over %d bytes", errDelta, maxDeltaText)
		}
	}
	if lit != "" {
		return "", fmt.Errorf("%w: %d bytes of new paragraphs unused", errDelta, len(lit))
	}
	return strings.Join(out, paraSep), nil
}
