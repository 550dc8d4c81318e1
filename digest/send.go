package digest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int // 0: 587 for starttls, 465 for tls, 25 for none
	Username string
	Password string
	// TLS is "starttls" (the default: STARTTLS is required, never skipped),
	// "tls" (implicit TLS, usually port 465) or "none".
	TLS string
	// Timeout bounds the connection and each SMTP step; 0 means 30s.
	Timeout time.Duration
	RootCAs *x509.CertPool // nil: the system's
}

const defaultTimeout = 30 * time.Second

func (cfg SMTPConfig) mode() string {
	if cfg.TLS == "" {
		return "starttls"
	}
	return strings.ToLower(cfg.TLS)
}

func (cfg SMTPConfig) port() int {
	if cfg.Port != 0 {
		return cfg.Port
	}
	switch cfg.mode() {
	case "tls":
		return 465
	case "none":
		return 25
	}
	return 587
}

// Send delivers msg.Bytes, exactly as built, to the given recipients. It
// returns nil only once the server has accepted the message (250 after
// DATA); a failure to say QUIT after that is not an error. AUTH (PLAIN or
// LOGIN, whichever the server offers) is used only when a username is set,
// and only over TLS (or to localhost). Cancelling ctx aborts the
// conversation. The password never appears in the error.
func Send(ctx context.Context, cfg SMTPConfig, from string, to []string, msg *Message) error {
	out, err := SendEach(ctx, cfg, from, to, msg, nil)
	if err != nil {
		return err
	}
	if len(out.Refused)+len(out.Deferred) > 0 {
		return fmt.Errorf("digest: send to %s:%d: %w", cfg.Host, cfg.port(), out.notAll())
	}
	return nil
}

// ErrAllRefused: the server refused every recipient, so nothing was sent.
var ErrAllRefused = errors.New("every recipient refused")

// Outcome is what the server answered for each recipient of one message.
type Outcome struct {
	Accepted []string          // the message was accepted for these (250 after DATA)
	Refused  map[string]string // permanently refused (5xx to RCPT TO): address -> the server's answer
	Deferred map[string]string // refused for now (4xx to RCPT TO): address -> the server's answer
}

func (o Outcome) notAll() error {
	var parts []string
	for _, m := range []map[string]string{o.Refused, o.Deferred} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			parts = append(parts, "RCPT TO "+k+": "+m[k])
		}
	}
	return errors.New(strings.Join(parts, "; "))
}

// SendEach delivers msg to each recipient the server accepts: a recipient
// refused at RCPT TO (permanently, 5xx, or for now, 4xx) is reported in the
// Outcome and the others still get the message. beforeData, when set, is
// called with the accepted recipients just before DATA (the caller records
// that the message may now go out); an error from it aborts without
// sending. The error is nil only when the server accepted the message for
// every recipient in Outcome.Accepted; when it refused them all it wraps
// ErrAllRefused.
func SendEach(ctx context.Context, cfg SMTPConfig, from string, to []string, msg *Message, beforeData func(accepted []string) error) (Outcome, error) {
	var out Outcome
	port := cfg.port()
	fail := func(err error) error {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (%w)", cerr, err)
		}
		return fmt.Errorf("digest: send to %s:%d: %w", cfg.Host, port, scrub(err, cfg.Username, cfg.Password))
	}
	if msg == nil || len(msg.Bytes) == 0 {
		return Outcome{}, fail(errors.New("empty message"))
	}
	if cfg.Host == "" {
		return Outcome{}, fail(errors.New("no SMTP host"))
	}
	envFrom, rcpts, err := envelope(from, to, msg.Bytes)
	if err != nil {
		return Outcome{}, fail(err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	tlsConf := &tls.Config{ServerName: cfg.Host, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}

	// Our own dialer, so that cancelling ctx closes the connection at any
	// step, not only while dialling, and so that a connection go-mail gives
	// up on (a failed STARTTLS or AUTH) is closed too.
	var (
		raw  net.Conn
		stop = func() bool { return false }
	)
	defer func() {
		stop()
		if raw != nil {
			raw.Close()
		}
	}()
	implicitTLS := cfg.mode() == "tls"
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{Timeout: timeout}
		var conn net.Conn
		var err error
		if implicitTLS {
			conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConf}).DialContext(dctx, network, addr)
		} else {
			conn, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		raw = conn // go-mail dials once, on this goroutine
		stop = context.AfterFunc(ctx, func() { conn.Close() })
		return conn, nil
	}

	opts := []gomail.Option{
		gomail.WithPort(port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(tlsConf),
		gomail.WithDialContextFunc(dial),
	}
	switch cfg.mode() {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		// The dialer speaks TLS; WithSSL keeps go-mail from trying STARTTLS.
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return Outcome{}, fail(fmt.Errorf("unknown tls mode %q (want starttls, tls or none)", cfg.TLS))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuthCustom(&plainOrLogin{user: cfg.Username, pass: cfg.Password, host: cfg.Host}))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return Outcome{}, fail(err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return Outcome{}, fail(err)
	}

	if err := sc.UpdateDeadline(timeout); err != nil {
		return Outcome{}, fail(err)
	}
	if err := sc.Mail(envFrom); err != nil {
		return Outcome{}, fail(fmt.Errorf("MAIL FROM: %w", err))
	}
	var accepted []string
	for _, r := range rcpts {
		err := sc.Rcpt(r)
		var te *textproto.Error
		switch {
		case err == nil:
			accepted = append(accepted, r)
		case errors.As(err, &te) && te.Code >= 500:
			if out.Refused == nil {
				out.Refused = map[string]string{}
			}
			out.Refused[r] = oneLine(fmt.Sprintf("%d %s", te.Code, te.Msg))
		case errors.As(err, &te) && te.Code >= 400:
			if out.Deferred == nil {
				out.Deferred = map[string]string{}
			}
			out.Deferred[r] = oneLine(fmt.Sprintf("%d %s", te.Code, te.Msg))
		default: // the connection, not the address
			return Outcome{}, fail(fmt.Errorf("RCPT TO %s: %w", r, err))
		}
	}
	if len(accepted) == 0 {
		_ = sc.Reset()
		_ = sc.Quit()
		return out, fail(fmt.Errorf("%w: %w", ErrAllRefused, out.notAll()))
	}
	if beforeData != nil {
		if err := beforeData(accepted); err != nil {
			_ = sc.Reset()
			return Outcome{}, fail(fmt.Errorf("before DATA: %w", err))
		}
	}
	w, err := sc.Data()
	if err != nil {
		return Outcome{}, fail(fmt.Errorf("DATA: %w", err))
	}
	if err := sc.UpdateDeadline(timeout); err != nil {
		return Outcome{}, fail(err)
	}
	if _, err := w.Write(msg.Bytes); err != nil {
		_ = w.Close()
		return Outcome{}, fail(fmt.Errorf("DATA: %w", err))
	}
	if err := w.Close(); err != nil {
		return Outcome{}, fail(fmt.Errorf("DATA: %w", err))
	}
	// Accepted. From here on nothing may turn this into a failure, or the
	// caller would send the same digest again.
	_ = sc.UpdateDeadline(timeout)
	_ = sc.Quit()
	out.Accepted = accepted
	return out, nil
}

// oneLine keeps a server's answer on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// envelope returns the bare addresses for MAIL FROM and RCPT TO. An empty
// from falls back to the message's From header.
func envelope(from string, to []string, msgBytes []byte) (string, []string, error) {
	if from == "" {
		if m, err := mail.ReadMessage(bytes.NewReader(msgBytes)); err == nil {
			from = m.Header.Get("From")
		}
	}
	if from == "" {
		return "", nil, errors.New("no sender")
	}
	fa, err := mail.ParseAddress(from)
	if err != nil {
		return "", nil, fmt.Errorf("sender %q: %w", from, err)
	}
	if len(to) == 0 {
		return "", nil, errors.New("no recipient")
	}
	var rcpts []string
	for _, t := range to {
		ta, err := mail.ParseAddress(t)
		if err != nil {
			return "", nil, fmt.Errorf("recipient %q: %w", t, err)
		}
		if !slices.Contains(rcpts, ta.Address) {
			rcpts = append(rcpts, ta.Address)
		}
	}
	return fa.Address, rcpts, nil
}

// plainOrLogin authenticates with PLAIN, or LOGIN when the server offers
// only that. Both refuse to send the password without TLS (except to
// localhost), as go-mail's smtp package enforces.
type plainOrLogin struct {
	user, pass, host string
	inner            smtp.Auth
}

func (a *plainOrLogin) Start(s *smtp.ServerInfo) (string, []byte, error) {
	switch {
	case slices.Contains(s.Auth, "PLAIN"):
		a.inner = smtp.PlainAuth("", a.user, a.pass, a.host, false)
	case slices.Contains(s.Auth, "LOGIN"):
		a.inner = smtp.LoginAuth(a.user, a.pass, a.host, false)
	case len(s.Auth) == 0:
		return "", nil, errors.New("server offers no AUTH, but a username is configured")
	default:
		return "", nil, fmt.Errorf("server offers neither PLAIN nor LOGIN authentication (offers %s)", strings.Join(s.Auth, " "))
	}
	return a.inner.Start(s)
}

func (a *plainOrLogin) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.inner.Next(fromServer, more)
}

// scrub removes the password from an error's text, in the forms it travels
// in (plain, and base64 as in AUTH PLAIN and LOGIN). If it had to remove
// anything, the error chain is dropped too, so that no wrapped error can
// print the password later.
func scrub(err error, user, pass string) error {
	if err == nil || pass == "" {
		return err
	}
	msg := err.Error()
	secrets := []string{pass,
		base64.StdEncoding.EncodeToString([]byte(pass)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass)),
	}
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) }) // longest first
	clean := msg
	for _, s := range secrets {
		clean = strings.ReplaceAll(clean, s, "[redacted]")
	}
	if clean == msg {
		return err
	}
	return errors.New(clean)
}
