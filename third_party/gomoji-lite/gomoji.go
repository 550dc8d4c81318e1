// Package gomoji stands in for github.com/forPelevin/gomoji in stet's
// build (a replace directive in stet's go.mod). go-trafilatura calls it
// only to clean author names in the page's metadata, which stet does not
// read; the real package builds a table of every emoji in init, 5-20 ms
// before main on every run of the binary. This one removes the runes of
// the emoji blocks, joiners and variation selectors without a table.
package gomoji

import "strings"

// RemoveEmojis returns s without emoji.
func RemoveEmojis(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0x1F000 && r <= 0x1FAFF, // pictographs, emoticons, symbols, flags
			r >= 0x2600 && r <= 0x27BF, // miscellaneous symbols, dingbats
			r >= 0xFE00 && r <= 0xFE0F, // variation selectors
			r == 0x200D, r == 0x20E3,   // zero-width joiner, keycap
			r >= 0xE0020 && r <= 0xE007F: // tag characters (subdivision flags)
			return -1
		}
		return r
	}, s)
}
