package web

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// hostSet is the Host header values a server answers to.
type hostSet struct {
	names     map[string]bool // lower case, no port, no brackets
	anyIPAddr bool            // listening on every address: any IP literal
}

func newHostSet(hosts []string, baseURL string) hostSet {
	hs := hostSet{names: map[string]bool{}}
	add := func(h string) {
		h = strings.ToLower(strings.Trim(h, "[]"))
		if h == "" {
			hs.anyIPAddr = true // ":8080" listens on every address
			return
		}
		if a, err := netip.ParseAddr(h); err == nil && a.IsUnspecified() {
			hs.anyIPAddr = true
			return
		}
		hs.names[h] = true
	}
	for _, h := range hosts {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		add(h)
	}
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		add(u.Hostname())
	}
	return hs
}

// allows says whether a request's Host (with or without a port) is one
// this server answers to: localhost names and loopback addresses always
// (a page cannot make a browser send those for its own origin), else only
// the configured ones. DNS rebinding sends the attacker's name: refused.
func (hs hostSet) allows(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" {
		return false
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Unmap().IsLoopback() || hs.anyIPAddr {
			return true
		}
	}
	return hs.names[host]
}
