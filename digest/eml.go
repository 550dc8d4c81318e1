package digest

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WriteEML writes msg into dir (created if missing) as
// "<date>_<message-id>.eml", atomically: a temporary file in dir, synced,
// then renamed over the final name. Writing the same digest twice leaves
// one file.
func WriteEML(dir string, msg *Message) (string, error) {
	if msg == nil || len(msg.Bytes) == 0 {
		return "", errors.New("digest: write eml: empty message")
	}
	date, id := msg.Date, msg.MessageID
	if date.IsZero() || id == "" {
		// A Message made from stored bytes: read the headers.
		m, err := mail.ReadMessage(bytes.NewReader(msg.Bytes))
		if err != nil {
			return "", fmt.Errorf("digest: write eml: %w", err)
		}
		if id == "" {
			id = m.Header.Get("Message-Id")
		}
		if date.IsZero() {
			date, _ = m.Header.Date()
		}
	}
	bare, err := normalizeMessageID(id)
	if err != nil {
		return "", fmt.Errorf("digest: write eml: %w", err)
	}
	name := fileName(date, bare)

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("digest: write eml: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return "", fmt.Errorf("digest: write eml: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.Write(msg.Bytes)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("digest: write eml %s: %w", tmp.Name(), err)
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("digest: write eml: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		_ = d.Sync()
		d.Close()
	}
	return path, nil
}

// fileName is "2026-11-24_stet-digest-0123abcd@example.com.eml": the date
// sorts the folder, the Message-ID makes the name the digest's own.
func fileName(date time.Time, bareID string) string {
	var b strings.Builder
	if !date.IsZero() {
		b.WriteString(date.Format("2006-01-02") + "_")
	}
	for _, r := range bareID {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.@+", r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if len(name) > 200 {
		name = name[:200]
	}
	return strings.TrimLeft(name, ".") + ".eml"
}
