package digest

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test SMTP server got it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool   // the session was encrypted
	User string // who authenticated, "" if nobody
}

// backend is an in-process SMTP server's backend that records messages.
type backend struct {
	user, pass string                  // AUTH credentials; "" offers no AUTH
	loginOnly  bool                    // offer LOGIN, not PLAIN
	dataErr    error                   // returned for DATA
	drop       bool                    // close the connection during DATA
	rcptErr    error                   // returned for RCPT
	authErr    func(pass string) error // returned for AUTH instead of checking

	mu   sync.Mutex
	msgs []received
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, c: c}, nil
}

func (b *backend) received() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b    *backend
	c    *smtp.Conn
	from string
	to   []string
	user string
}

func (s *session) AuthMechanisms() []string {
	if s.b.user == "" {
		return nil
	}
	if s.b.loginOnly {
		return []string{sasl.Login}
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(identity, user, pass string) error {
		if s.b.authErr != nil {
			return s.b.authErr(pass)
		}
		if user != s.b.user || pass != s.b.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.user = user
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(check), nil
}

// loginServer is the server side of AUTH LOGIN (go-sasl has only the client).
type loginServer struct {
	check      func(identity, user, pass string) error
	step       int
	user, pass string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check("", l.user, string(response))
	}
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && s.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rcptErr != nil {
		return s.b.rcptErr
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.b.drop {
		s.c.Conn().Close()
		return errors.New("dropped")
	}
	if s.b.dataErr != nil {
		return s.b.dataErr
	}
	_, isTLS := s.c.TLSConnectionState()
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, received{From: s.from, To: s.to, Data: data, TLS: isTLS, User: s.user})
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "stet test smtp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

// startSMTP runs a go-smtp server on 127.0.0.1 for the test. mode is
// "none" (plain), "starttls" (STARTTLS offered) or "tls" (implicit TLS).
func startSMTP(t *testing.T, be *backend, mode string) (port int, pool *x509.CertPool) {
	t.Helper()
	return startSMTPOn(t, be, mode, "127.0.0.1:0")
}

func startSMTPOn(t *testing.T, be *backend, mode, addr string) (port int, pool *x509.CertPool) {
	t.Helper()
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if mode != "none" {
		cert, p := selfSigned(t)
		pool = p
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		if mode == "tls" {
			l = tls.NewListener(l, s.TLSConfig)
		}
	} else {
		s.AllowInsecureAuth = true
	}
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return l.Addr().(*net.TCPAddr).Port, pool
}

func sampleMessage(t *testing.T) *Message {
	t.Helper()
	msg, err := Build(sampleInput(t))
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// checkDelivered asserts the server got exactly msg, from and to the right
// addresses, and that it reads back as the digest.
func checkDelivered(t *testing.T, be *backend, msg *Message) received {
	t.Helper()
	got := be.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "stet@example.com" || strings.Join(r.To, ",") != "editor@example.com,desk@example.com" {
		t.Errorf("envelope from %q to %q", r.From, r.To)
	}
	if string(r.Data) != string(msg.Bytes) {
		t.Errorf("server received other bytes than built")
	}
	p := parseMessage(t, r.Data)
	if got := p.Header.Get("Subject"); got != "stet: 4 changes in 3 articles (2026-11-25)" {
		t.Errorf("Subject = %q", got)
	}
	if got := p.Header.Get("Message-Id"); got != msg.MessageID {
		t.Errorf("Message-ID = %q, want %q", got, msg.MessageID)
	}
	checkQuoteEdit(t, p)
	return r
}

var rcpts = []string{"Editor <editor@example.com>", "desk@example.com"}

func TestSendPlain(t *testing.T) {
	be := &backend{}
	port, _ := startSMTP(t, be, "none")
	msg := sampleMessage(t)
	err := Send(context.Background(), SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", Timeout: 10 * time.Second},
		"stet <stet@example.com>", rcpts, msg)
	if err != nil {
		t.Fatal(err)
	}
	if r := checkDelivered(t, be, msg); r.TLS || r.User != "" {
		t.Errorf("plain session: tls %v, user %q", r.TLS, r.User)
	}
}

func TestSendSTARTTLSAuth(t *testing.T) {
	be := &backend{user: "stet", pass: "s3cret pässword"}
	port, pool := startSMTP(t, be, "starttls")
	msg := sampleMessage(t)
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, Username: "stet", Password: "s3cret pässword", TLS: "starttls",
		Timeout: 10 * time.Second, RootCAs: pool}
	if err := Send(context.Background(), cfg, "stet@example.com", rcpts, msg); err != nil {
		t.Fatal(err)
	}
	r := checkDelivered(t, be, msg)
	if !r.TLS || r.User != "stet" {
		t.Errorf("session: tls %v, user %q; want TLS and user stet", r.TLS, r.User)
	}
}

func TestSendSTARTTLSAuthLogin(t *testing.T) {
	be := &backend{user: "stet", pass: "pw", loginOnly: true}
	port, pool := startSMTP(t, be, "starttls")
	msg := sampleMessage(t)
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, Username: "stet", Password: "pw", TLS: "starttls", Timeout: 10 * time.Second, RootCAs: pool}
	if err := Send(context.Background(), cfg, "stet@example.com", rcpts, msg); err != nil {
		t.Fatal(err)
	}
	if r := checkDelivered(t, be, msg); !r.TLS || r.User != "stet" {
		t.Errorf("session: tls %v, user %q", r.TLS, r.User)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	be := &backend{user: "stet", pass: "pw"}
	port, pool := startSMTP(t, be, "tls")
	msg := sampleMessage(t)
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, Username: "stet", Password: "pw", TLS: "tls", Timeout: 10 * time.Second, RootCAs: pool}
	if err := Send(context.Background(), cfg, "stet@example.com", rcpts, msg); err != nil {
		t.Fatal(err)
	}
	if r := checkDelivered(t, be, msg); !r.TLS || r.User != "stet" {
		t.Errorf("session: tls %v, user %q", r.TLS, r.User)
	}
}

// TestSendFrom: without a from, the envelope sender is the From header.
func TestSendFromHeader(t *testing.T) {
	be := &backend{}
	port, _ := startSMTP(t, be, "none")
	msg := sampleMessage(t)
	if err := Send(context.Background(), SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none"}, "", rcpts, msg); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, be, msg)
}

// TestSendFails: every way the server can say no is an error naming the
// server, and nothing counts as delivered.
func TestSendFails(t *testing.T) {
	_, untrusted := selfSigned(t) // a pool that trusts some other certificate
	for _, tt := range []struct {
		name    string
		be      *backend
		server  string // mode of the server
		cfg     SMTPConfig
		wantErr string
	}{
		{"554 on DATA", &backend{dataErr: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "message refused"}},
			"none", SMTPConfig{TLS: "none"}, "554"},
		{"451 on DATA", &backend{dataErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}},
			"none", SMTPConfig{TLS: "none"}, "451"},
		{"connection dropped during DATA", &backend{drop: true}, "none", SMTPConfig{TLS: "none"}, "DATA"},
		{"recipient refused", &backend{rcptErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}},
			"none", SMTPConfig{TLS: "none"}, "550"},
		{"starttls required, not offered", &backend{}, "none", SMTPConfig{TLS: "starttls"}, "STARTTLS"},
		{"certificate not trusted", &backend{}, "starttls", SMTPConfig{TLS: "starttls", RootCAs: untrusted}, "certificate"},
		{"implicit tls to a plain server", &backend{}, "none", SMTPConfig{TLS: "tls"}, ""},
		{"wrong password", &backend{user: "stet", pass: "right"}, "starttls", SMTPConfig{TLS: "starttls", Username: "stet", Password: "wrong"}, "535"},
		{"username but no AUTH offered", &backend{}, "starttls", SMTPConfig{TLS: "starttls", Username: "stet", Password: "pw"}, "AUTH"},
		{"unknown tls mode", &backend{}, "none", SMTPConfig{TLS: "ssl3"}, "unknown tls mode"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			port, pool := startSMTP(t, tt.be, tt.server)
			cfg := tt.cfg
			cfg.Host, cfg.Port, cfg.Timeout = "127.0.0.1", port, 5*time.Second
			if cfg.RootCAs == nil {
				cfg.RootCAs = pool
			}
			err := Send(context.Background(), cfg, "stet@example.com", rcpts, sampleMessage(t))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			t.Log(err)
			if prefix := "digest: send to 127.0.0.1:" + strconv.Itoa(port) + ": "; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if n := len(tt.be.received()); n != 0 {
				t.Errorf("server recorded %d messages", n)
			}
		})
	}
}

// TestSendNoPasswordInClear: with tls none, the password is not sent to a
// server other than localhost, even one that offers AUTH without TLS.
func TestSendNoPasswordInClear(t *testing.T) {
	if l, err := net.Listen("tcp", "127.0.0.2:0"); err != nil {
		t.Skipf("no 127.0.0.2 here: %v", err)
	} else {
		l.Close()
	}
	be := &backend{user: "stet", pass: "pw"}
	port, _ := startSMTPOn(t, be, "none", "127.0.0.2:0")
	cfg := SMTPConfig{Host: "127.0.0.2", Port: port, Username: "stet", Password: "pw", TLS: "none", Timeout: 5 * time.Second}
	err := Send(context.Background(), cfg, "stet@example.com", rcpts, sampleMessage(t))
	if err == nil {
		t.Fatal("Send succeeded")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "unencrypted") {
		t.Errorf("error %q, want a refusal to authenticate unencrypted", err)
	}
	if n := len(be.received()); n != 0 {
		t.Errorf("server recorded %d messages", n)
	}
}

// TestSendHidesPassword: a server that echoes the credentials in its error
// does not get them into ours.
func TestSendHidesPassword(t *testing.T) {
	const user, pass = "stet", "hunter2-Zq9"
	b64 := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
	be := &backend{user: user, pass: pass, authErr: func(p string) error {
		return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
			Message: "bad password " + p + " (" + b64 + ", " + base64.StdEncoding.EncodeToString([]byte(p)) + ")"}
	}}
	port, pool := startSMTP(t, be, "starttls")
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, Username: user, Password: pass, TLS: "starttls", Timeout: 5 * time.Second, RootCAs: pool}
	err := Send(context.Background(), cfg, "stet@example.com", rcpts, sampleMessage(t))
	if err == nil {
		t.Fatal("Send succeeded")
	}
	t.Log(err)
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		for _, secret := range []string{pass, b64, base64.StdEncoding.EncodeToString([]byte(pass))} {
			if strings.Contains(e.Error(), secret) {
				t.Errorf("error chain shows the password: %q", e)
			}
		}
	}
	if !strings.Contains(err.Error(), "535") || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error = %q, want the 535 with the password redacted", err)
	}
}

// silentServer accepts connections, greets, reads the client's first
// command and then says nothing more. Each client that got that far is
// announced on the channel.
func silentServer(t *testing.T) (int, <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	waiting := make(chan struct{}, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				io.WriteString(c, "220 localhost ESMTP\r\n")
				if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
					waiting <- struct{}{}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port, waiting
}

func TestSendTimeout(t *testing.T) {
	port, _ := silentServer(t)
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", Timeout: 200 * time.Millisecond}
	err := Send(context.Background(), cfg, "stet@example.com", rcpts, sampleMessage(t))
	if err == nil {
		t.Fatal("Send to a silent server succeeded")
	}
	t.Log(err)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %q is not a timeout", err)
	}
}

func TestSendCancel(t *testing.T) {
	port, accepted := silentServer(t)
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", Timeout: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	msg := sampleMessage(t)
	go func() { done <- Send(ctx, cfg, "stet@example.com", rcpts, msg) }()
	<-accepted // the client said EHLO and waits for the answer
	cancel()
	err := <-done // with a one-hour timeout, only the cancel can end this
	t.Log(err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestSendRefusesBadInput(t *testing.T) {
	msg := sampleMessage(t)
	ctx := context.Background()
	cfg := SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: "none"}
	for name, err := range map[string]error{
		"no host":        Send(ctx, SMTPConfig{}, "stet@example.com", rcpts, msg),
		"no message":     Send(ctx, cfg, "stet@example.com", rcpts, nil),
		"no recipient":   Send(ctx, cfg, "stet@example.com", nil, msg),
		"CRLF in sender": Send(ctx, cfg, "stet@example.com\r\nRCPT TO:<x@y>", rcpts, msg),
		"bad recipient":  Send(ctx, cfg, "stet@example.com", []string{"x@y>\r\nDATA"}, msg),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "digest: send to ") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}
