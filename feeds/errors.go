package feeds

import "errors"

// Sentinel errors callers branch on. Fetch and Parse wrap them with %w.
var (
	// ErrGone: the server answered 410 Gone; stop fetching the feed.
	ErrGone = errors.New("gone")
	// ErrTooLarge: the body, after decompression, exceeds Options.MaxBody.
	ErrTooLarge = errors.New("body too large")
	// ErrBlocked: an untrusted fetch would connect to a non-public address,
	// or the URL has a scheme other than http or https.
	ErrBlocked = errors.New("blocked")
	// ErrStatus: any non-2xx answer other than 304 (also wrapped by 410,
	// 429 and 503). errors.As with *StatusError gives the status and
	// Retry-After.
	ErrStatus = errors.New("bad status")
	// ErrTimeout: Options.Timeout (whole request, body included) ran out.
	ErrTimeout = errors.New("timed out")
	// ErrRedirect: too many redirects, a loop, or a redirect to a scheme
	// other than http or https.
	ErrRedirect = errors.New("bad redirect")
	// ErrNotFeed: the body is not a feed (an HTML page, empty, unknown format).
	ErrNotFeed = errors.New("feeds: not a feed")
	// ErrMalformed: the body looks like a feed but does not parse.
	ErrMalformed = errors.New("feeds: malformed feed")
)
