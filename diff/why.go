package diff

// SpeakerReason says why a quote got its speaker: the attribution pattern
// that fired, so that a user of `stet explain` can trust or report it.
type SpeakerReason struct {
	Version string `json:"version"` // "old" or "new"
	Quote   string `json:"quote"`
	Speaker string `json:"speaker"`
	Rule    string `json:"rule"`
}

func speakerReasons(version string, qs []quoteHit) []SpeakerReason {
	out := make([]SpeakerReason, 0, len(qs))
	for _, q := range qs {
		out = append(out, SpeakerReason{Version: version, Quote: q.Text, Speaker: q.Speaker, Rule: q.rule})
	}
	return out
}
