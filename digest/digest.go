// Package digest builds, renders and sends the daily email of silent edits:
// one multipart/alternative message (plain text and inline-styled HTML)
// holding every change not yet sent, grouped by feed and article, and the
// sources that keep failing. It sends over SMTP (wneessen/go-mail) or writes
// an .eml file. Recording which changes went out is the caller's job.
package digest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/stet-news/stet/change"
)

const (
	defaultMessageIDDomain = "stet.invalid"
)

// Change is one recorded change, with the article it belongs to: the
// change model's record (kinds are the diff's: diff.QuoteEdited, ...).
type Change = change.Record

// Problem is a source (a feed, or an article page when ArticleURL is set)
// that keeps failing.
type Problem struct {
	ID         int64 // the store's, when it has one
	FeedURL    string
	ArticleURL string
	Kind       string
	Detail     string
	Since      time.Time
	Count      int
}

// Input is everything one digest holds.
type Input struct {
	Changes  []Change
	Problems []Problem
	// Date is now, in the digest's time zone: it dates the message and the
	// subject, and every time shown is given in its zone.
	Date time.Time
	From string
	To   []string
	// MessageID is the Message-ID header, with or without angle brackets
	// (see MessageID). Empty: derived from the change ids and the From domain.
	MessageID string
	// MaxBytes caps the message (digest.max_bytes; 0: no cap): past it the
	// remaining changes are counted per feed and article, with links to
	// the web view at BaseURL (http.base_url), and both parts say so.
	MaxBytes int64
	BaseURL  string
}

// Message is a built digest.
type Message struct {
	Subject   string
	MessageID string // with angle brackets, as in the header
	Bytes     []byte // the complete RFC 5322 MIME message, CRLF line ends
	Date      time.Time
	Changes   int // how many changes the digest holds
	Articles  int // in how many articles
	Problems  int // how many sources with problems
}

// MessageID returns a stable Message-ID for a digest of the given changes:
// the same ids, in any order, give the same id. Domain should be the
// sender's; an empty or unusable one is replaced by "stet.invalid".
func MessageID(changeIDs []int64, domain string) string {
	ids := slices.Clone(changeIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	h := sha256.New()
	for _, id := range ids {
		h.Write(strconv.AppendInt(nil, id, 10))
		h.Write([]byte{','})
	}
	if !validDomain(domain) {
		domain = defaultMessageIDDomain
	}
	return "<stet-digest-" + hex.EncodeToString(h.Sum(nil)[:16]) + "@" + strings.ToLower(domain) + ">"
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// normalizeMessageID checks a Message-ID and returns it without brackets.
func normalizeMessageID(id string) (string, error) {
	bare := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
	at := strings.LastIndexByte(bare, '@')
	if at <= 0 || at == len(bare)-1 || len(bare) > 250 {
		return "", fmt.Errorf("digest: bad Message-ID %q", id)
	}
	for i := 0; i < len(bare); i++ {
		c := bare[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`<>()[]\,;:"`, c) >= 0 {
			return "", fmt.Errorf("digest: bad Message-ID %q", id)
		}
	}
	return bare, nil
}

// checkAddress refuses addresses that could smuggle header lines.
func checkAddress(field, a string) error {
	if strings.ContainsFunc(a, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fmt.Errorf("digest: %s address %q contains control characters", field, a)
	}
	if _, err := mail.ParseAddress(a); err != nil {
		return fmt.Errorf("digest: %s address %q: %w", field, a, err)
	}
	return nil
}

// Build renders the digest as one multipart/alternative message. The same
// input gives the same bytes, so a recorded digest can be rebuilt exactly.
func Build(in Input) (*Message, error) {
	if in.Date.IsZero() {
		return nil, errors.New("digest: build: no date")
	}
	if err := checkAddress("from", in.From); err != nil {
		return nil, err
	}
	if len(in.To) == 0 {
		return nil, errors.New("digest: build: no recipient")
	}
	for _, to := range in.To {
		if err := checkAddress("to", to); err != nil {
			return nil, err
		}
	}
	msgID := in.MessageID
	if msgID == "" {
		ids := make([]int64, len(in.Changes))
		for i, c := range in.Changes {
			ids[i] = c.ID
		}
		addr, _ := mail.ParseAddress(in.From)
		msgID = MessageID(ids, addr.Address[strings.LastIndexByte(addr.Address, '@')+1:])
	}
	bareID, err := normalizeMessageID(msgID)
	if err != nil {
		return nil, err
	}

	buf, d, err := render(in, bareID, -1)
	if err != nil {
		return nil, err
	}
	if in.MaxBytes > 0 && int64(buf.Len()) > in.MaxBytes {
		// The most changes shown in full that fit, found by a binary search
		// over renderings; the rest is counted. With none shown it may still
		// not fit (thousands of sources with problems): then it goes as is.
		// The size is about linear in the changes shown: search below twice
		// the estimate, so that no rendering is much larger than the cap.
		lo, hi := 0, d.NumChanges-1
		if est := int64(d.NumChanges) * in.MaxBytes / int64(buf.Len()); 2*est+1 < int64(hi) {
			hi = int(2*est + 1)
		}
		for lo < hi {
			mid := (lo + hi + 1) / 2
			b, _, err := render(in, bareID, mid)
			if err != nil {
				return nil, err
			}
			if int64(b.Len()) <= in.MaxBytes {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		if buf, d, err = render(in, bareID, lo); err != nil {
			return nil, err
		}
	}

	// The Message-ID that goes out must be the one recorded by the caller.
	parsed, err := mail.ReadMessage(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("digest: built message does not parse: %w", err)
	}
	want := "<" + bareID + ">"
	if got := parsed.Header.Get("Message-Id"); got != want {
		return nil, fmt.Errorf("digest: built message has Message-ID %q, want %q", got, want)
	}

	return &Message{
		Subject:   d.Subject,
		MessageID: want,
		Bytes:     buf.Bytes(),
		Date:      in.Date,
		Changes:   d.NumChanges,
		Articles:  d.NumArticles,
		Problems:  len(d.Problems),
	}, nil
}

// render builds the message with the first keep changes in full (-1: all).
func render(in Input, bareID string, keep int) (*bytes.Buffer, *doc, error) {
	d := arrangeCapped(in, keep)
	d.Subject = subject(d, in.Date)
	text := renderText(d)
	html, err := renderHTML(d)
	if err != nil {
		return nil, nil, fmt.Errorf("digest: render html: %w", err)
	}

	// A boundary derived from the content keeps Build deterministic.
	sum := sha256.Sum256([]byte(bareID + "\x00" + text + "\x00" + html))
	boundary := "stet-" + hex.EncodeToString(sum[:12])

	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithBoundary(boundary), gomail.WithNoDefaultUserAgent())
	if err := m.From(in.From); err != nil {
		return nil, nil, fmt.Errorf("digest: from %q: %w", in.From, err)
	}
	if err := m.To(in.To...); err != nil {
		return nil, nil, fmt.Errorf("digest: to: %w", err)
	}
	m.Subject(d.Subject)
	m.SetDateWithValue(in.Date)
	m.SetMessageIDWithValue(bareID)
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, text)
	m.AddAlternativeString(gomail.TypeTextHTML, html)

	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, nil, fmt.Errorf("digest: write message: %w", err)
	}
	return &buf, d, nil
}

// subject says what is inside, from counts and the date only: nothing taken
// from feeds ever reaches a header.
func subject(d *doc, date time.Time) string {
	day := date.Format("2006-01-02")
	switch {
	case d.NumChanges > 0:
		return fmt.Sprintf("stet: %s in %s (%s)", plural(d.NumChanges, "change", "changes"),
			plural(d.NumArticles, "article", "articles"), day)
	case len(d.Problems) > 0:
		return fmt.Sprintf("stet: %s with problems (%s)", plural(len(d.Problems), "source", "sources"), day)
	default:
		return fmt.Sprintf("stet: no changes (%s)", day)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
