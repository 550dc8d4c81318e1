package config

import (
	"strconv"
	"strings"
)

// Error is a configuration that cannot be used. Its message is one line:
//
//	config: FILE: line N: KEY: MESSAGE
//
// where FILE is present when the configuration was read by Load, line N when
// the key is known to come from a line of the file, and KEY (a path such as
// "feeds[2].schedule" or "smtp.port", indexes counted from 0) when the error
// concerns one key rather than the whole document.
type Error struct {
	File string // the file read by Load; "" otherwise
	Line int    // 1-based line in the file; 0 when not known
	Key  string // key path; "" for the whole document
	Msg  string
	Err  error // the underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(oneLine(e.Msg))
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// oneLine keeps a message on one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
}
