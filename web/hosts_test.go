package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Only the listen address, localhost names and http.base_url's host are
// answered: a DNS-rebinding page (its own name in Host) gets 421, with or
// without a token.
func TestHostCheck(t *testing.T) {
	st := openStore(t)
	tests := []struct {
		name  string
		opts  Options
		host  string
		allow bool
	}{
		{"loopback address", Options{Hosts: []string{"127.0.0.1:8080"}}, "127.0.0.1:8080", true},
		{"localhost", Options{Hosts: []string{"127.0.0.1:8080"}}, "localhost:8080", true},
		{"localhost name", Options{Hosts: []string{"127.0.0.1:8080"}}, "stet.localhost", true},
		{"ipv6 loopback", Options{Hosts: []string{"[::1]:8080"}}, "[::1]:8080", true},
		{"rebinding name", Options{Hosts: []string{"127.0.0.1:8080"}}, "attacker.example:8080", false},
		{"rebinding name, token set", Options{Hosts: []string{"127.0.0.1:8080"}, Token: "0123456789abcdef"}, "attacker.example", false},
		{"no hosts configured", Options{}, "attacker.example", false},
		{"empty host", Options{}, "", false},
		{"base_url host", Options{Hosts: []string{"127.0.0.1:8080"}, BaseURL: "https://stet.example.org/"}, "stet.example.org", true},
		{"base_url host, upper case", Options{BaseURL: "https://stet.example.org"}, "STET.example.org:443", true},
		{"listen address", Options{Hosts: []string{"192.0.2.7:8080"}}, "192.0.2.7:8080", true},
		{"other address, specific listen", Options{Hosts: []string{"192.0.2.7:8080"}}, "192.0.2.8:8080", false},
		{"any address on 0.0.0.0", Options{Hosts: []string{"0.0.0.0:8080"}}, "192.0.2.8:8080", true},
		{"name on 0.0.0.0", Options{Hosts: []string{"0.0.0.0:8080"}}, "intranet.example:8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(st, tt.opts).Handler()
			for _, path := range []string{"/api/feeds", "/healthz"} {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Host = tt.host
				if tt.opts.Token != "" {
					req.Header.Set("Authorization", "Bearer "+tt.opts.Token)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if got := rec.Code != http.StatusMisdirectedRequest; got != tt.allow {
					t.Errorf("%s with Host %q: got %d, want allowed=%v", path, tt.host, rec.Code, tt.allow)
				}
			}
		})
	}
}

// Over a real connection: the listener's own address is answered, a
// rebinding name is not.
func TestHostCheckOverHTTP(t *testing.T) {
	st := openStore(t)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = New(st, Options{Hosts: []string{srv.Listener.Addr().String()}}).Handler()
	srv.Start()
	defer srv.Close()
	for host, want := range map[string]int{"": 200, "rebind.attacker.example": http.StatusMisdirectedRequest} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/feeds", nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: got %d, want %d", host, resp.StatusCode, want)
		}
	}
}
