package feeds

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds a Retry-After a server asks for.
const maxRetryAfter = 30 * 24 * time.Hour

// StatusError is the error for an HTTP answer other than 2xx and 304. It
// matches ErrStatus with errors.Is, and ErrGone too when Status is 410.
type StatusError struct {
	Status     int
	RetryAfter time.Duration // from Retry-After on 429 and 503; 0 when absent
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	s = strings.TrimSpace(s)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	return s
}

// Is makes errors.Is(err, ErrStatus) and, for 410, errors.Is(err, ErrGone) hold.
func (e *StatusError) Is(target error) bool {
	return target == ErrStatus || (target == ErrGone && e.Status == http.StatusGone)
}

// outcome classifies an HTTP response: what the status and headers mean for
// the fetcher and for the feed's schedule.
type outcome struct {
	Status      int
	Modified    bool          // 2xx: a body to read
	NotModified bool          // 304: keep what we have, read nothing
	Gone        bool          // 410: stop the feed
	RetryAfter  time.Duration // 429, 503: wait at least this long
	Permanent   bool          // 301, 308: the resource moved for good
}

// classify reads the status line and headers of resp. now is used for a
// Retry-After given as an HTTP date.
func classify(status int, h http.Header, now time.Time) outcome {
	o := outcome{Status: status}
	switch {
	case status >= 200 && status < 300:
		o.Modified = true
	case status == http.StatusNotModified:
		o.NotModified = true
	case status == http.StatusMovedPermanently || status == http.StatusPermanentRedirect:
		o.Permanent = true
	case status == http.StatusGone:
		o.Gone = true
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		o.RetryAfter = parseRetryAfter(h.Get("Retry-After"), now)
	}
	return o
}

// err is the error for an outcome that carries no usable body.
func (o outcome) err() error {
	if o.Modified || o.NotModified {
		return nil
	}
	return &StatusError{Status: o.Status, RetryAfter: o.RetryAfter}
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date.
// It returns 0 when the value is absent or unreadable, and caps it at
// maxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
		if d <= 0 {
			return 0
		}
	} else {
		return 0
	}
	return min(d, maxRetryAfter)
}
