package diff

import "strings"

// splitWords splits s into words, each keeping the white space after it, so
// that joining the pieces gives s back.
func splitWords(s string) []string {
	var out []string
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' {
			j++
		}
		for j < len(s) && (s[j] == ' ' || s[j] == '\n' || s[j] == '\t') {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// WordDiff returns the word-level difference between a and b: runs of equal,
// deleted and inserted words. Words compare with typography folded, so a
// curly and a straight quote mark are equal; equal runs carry b's text.
func WordDiff(a, b string) []Op {
	wa, wb := splitWords(a), splitWords(b)
	ka, kb := make([]string, len(wa)), make([]string, len(wb))
	for i, w := range wa {
		ka[i] = foldTypography(strings.TrimSpace(w))
	}
	for i, w := range wb {
		kb[i] = foldTypography(strings.TrimSpace(w))
	}
	// trim common prefix and suffix
	pre := 0
	for pre < len(ka) && pre < len(kb) && ka[pre] == kb[pre] {
		pre++
	}
	suf := 0
	for suf < len(ka)-pre && suf < len(kb)-pre && ka[len(ka)-1-suf] == kb[len(kb)-1-suf] {
		suf++
	}
	var ops []Op
	push := func(k OpKind, t string) {
		if t == "" {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].Kind == k {
			ops[n-1].Text += t
			return
		}
		ops = append(ops, Op{Kind: k, Text: t})
	}
	push(OpEqual, strings.Join(wb[:pre], ""))
	ma, mb := ka[pre:len(ka)-suf], kb[pre:len(kb)-suf]
	oa, ob := wa[pre:len(wa)-suf], wb[pre:len(wb)-suf]
	if len(ma)*len(mb) > 4_000_000 {
		push(OpDelete, strings.Join(oa, ""))
		push(OpInsert, strings.Join(ob, ""))
	} else {
		// LCS table
		n, m := len(ma), len(mb)
		dp := make([]int32, (n+1)*(m+1))
		w := m + 1
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					dp[i*w+j] = dp[(i+1)*w+j+1] + 1
				} else if dp[(i+1)*w+j] >= dp[i*w+j+1] {
					dp[i*w+j] = dp[(i+1)*w+j]
				} else {
					dp[i*w+j] = dp[i*w+j+1]
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && ma[i] == mb[j]:
				push(OpEqual, ob[j])
				i++
				j++
			case i < n && (j == m || dp[(i+1)*w+j] >= dp[i*w+j+1]):
				push(OpDelete, oa[i])
				i++
			default:
				push(OpInsert, ob[j])
				j++
			}
		}
	}
	push(OpEqual, strings.Join(wb[len(wb)-suf:], ""))
	return ops
}

// lcsLen is the length of the longest common subsequence of two word lists.
func lcsLen(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a)*len(b) > 250_000 {
		// very long quotes: the words in common, counted as bags, bound
		// the subsequence from above and cost linear time
		return bagOverlap(a, b)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else if prev[j] >= cur[j-1] {
				cur[j] = prev[j]
			} else {
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// bagOverlap counts the words a and b have in common, with multiplicity.
func bagOverlap(a, b []string) int {
	m := make(map[string]int, len(a))
	for _, w := range a {
		m[w]++
	}
	n := 0
	for _, w := range b {
		if m[w] > 0 {
			m[w]--
			n++
		}
	}
	return n
}
