package main

import "strings"

// causeFirst rewrites a wrapped error message so that its cause, the last
// of its ": "-separated parts, comes first: "no such host (feeds: fetch
// https://x/rss: dial tcp: lookup x)". A table cuts long messages at the
// end, and the wrapping (which URL, which step) is what can be cut.
func causeFirst(msg string) string {
	msg = oneLine(msg)
	i := strings.LastIndex(msg, ": ")
	if i < 0 {
		return msg
	}
	cause, rest := strings.TrimSpace(msg[i+2:]), strings.TrimSpace(msg[:i])
	if cause == "" {
		return msg
	}
	return cause + " (" + rest + ")"
}
