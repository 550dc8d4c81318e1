package pipeline

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/stet-news/stet/diff"
)

// Content rules: when a fetched page is not an article's text. (When two
// texts are the same revision is the store's rule: store.ContentHash.)

// minPageText is the least text an article page must yield to replace a
// feed's summary.
const minPageText = 200

// thinPage says why an extracted page is too short to be the article ("":
// it is long enough).
func thinPage(text string) string {
	if len(text) < minPageText {
		return fmt.Sprintf("only %d characters of text", len(text))
	}
	return ""
}

// Phrases of pages that stand in for an article: paywalls, consent walls,
// error pages. Only looked for in text that is short or much shorter than
// the article was.
var stubPhrases = []string{
	"subscribe to continue", "subscribe to read", "to continue reading", "already a subscriber", "subscribers only",
	"for subscribers", "sign in to continue", "log in to continue", "create a free account", "you have reached your limit",
	"free articles", "we use cookies", "accept all cookies", "cookie settings", "manage your privacy", "consent",
	"page not found", "404 not found", "not found", "access denied", "forbidden", "service unavailable",
	"internal server error", "bad gateway", "enable javascript", "are you a robot", "verify you are human",
	"something went wrong", "temporarily unavailable",
}

// brokenPage says why a page's text is not a new version of the article
// but a failed load: it collapsed to much less than the last good text, or
// it reads like a paywall, consent or error page. "" when it looks real.
func brokenPage(prevText, text string) string {
	prev := utf8.RuneCountInString(diff.Normalize(prevText))
	cur := utf8.RuneCountInString(diff.Normalize(text))
	if prev >= 400 && cur*2 < prev {
		return fmt.Sprintf("page text collapsed from %d to %d characters; keeping the last good revision", prev, cur)
	}
	if cur < 1500 || (prev > 0 && cur*4 < prev*3) {
		low := strings.ToLower(text)
		for _, p := range stubPhrases {
			if strings.Contains(low, p) && !strings.Contains(strings.ToLower(prevText), p) {
				return fmt.Sprintf("page reads like a paywall, consent or error page (%q); keeping the last good revision", p)
			}
		}
	}
	return ""
}
