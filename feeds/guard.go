package feeds

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"syscall"
)

// blockedRange is an address range an untrusted fetch may not connect to.
type blockedRange struct {
	prefix netip.Prefix
	why    string
}

// blockedRanges are the non-public address ranges. Checked after DNS
// resolution, on every connection (so on every redirect too), which also
// defeats DNS rebinding: the address dialled is the address checked.
var blockedRanges = func() []blockedRange {
	var rs []blockedRange
	for _, r := range []struct{ cidr, why string }{
		{"0.0.0.0/8", "this network"},
		{"10.0.0.0/8", "private"},
		{"100.64.0.0/10", "carrier-grade NAT"},
		{"127.0.0.0/8", "loopback"},
		{"169.254.0.0/16", "link-local"},
		{"172.16.0.0/12", "private"},
		{"192.0.0.0/24", "IETF protocol assignments"},
		{"192.0.2.0/24", "documentation"},
		{"192.88.99.0/24", "6to4 relay anycast"},
		{"192.168.0.0/16", "private"},
		{"198.18.0.0/15", "benchmarking"},
		{"198.51.100.0/24", "documentation"},
		{"203.0.113.0/24", "documentation"},
		{"224.0.0.0/4", "multicast"},
		{"240.0.0.0/4", "reserved"}, // includes 255.255.255.255
		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"::/96", "IPv4-compatible"},
		{"100::/64", "discard-only"},
		{"2001:db8::/32", "documentation"},
		{"fc00::/7", "unique-local"},
		{"fe80::/10", "link-local"},
		{"fec0::/10", "site-local"},
		{"ff00::/8", "multicast"},
	} {
		rs = append(rs, blockedRange{netip.MustParsePrefix(r.cidr), r.why})
	}
	return rs
}()

var (
	nat64Prefix  = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	teredoPrefix = netip.MustParsePrefix("2001::/32")
)

// Link-local ranges and cloud metadata addresses: refused even when a wider
// fetch.allow entry covers them; reached only when an entry names them
// exactly (the metadata address itself, or a network inside link-local).
var (
	linkLocal = []netip.Prefix{netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("fe80::/10")}
	metadata  = []netip.Addr{
		netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack, ...
		netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
		netip.MustParseAddr("fd00:ec2::254"),   // AWS over IPv6
		netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
		netip.MustParseAddr("192.0.0.192"),     // Oracle Cloud
	}
)

// allowList is fetch.allow parsed: networks and host names that untrusted
// fetches may reach although they are not public.
type allowList struct {
	prefixes []netip.Prefix
	hosts    map[string]bool // lower case
}

// newAllowList parses fetch.allow entries: a CIDR ("10.0.0.0/8"), an
// address ("10.1.2.3", a single-address network) or a host name
// ("intranet.example"), whose connections may go to any address that is
// not link-local or metadata.
func newAllowList(entries []string) allowList {
	al := allowList{hosts: map[string]bool{}}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if p, err := netip.ParsePrefix(e); err == nil {
			al.prefixes = append(al.prefixes, p.Masked())
		} else if a, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
			a = a.Unmap().WithZone("")
			al.prefixes = append(al.prefixes, netip.PrefixFrom(a, a.BitLen()))
		} else if e != "" {
			al.hosts[strings.ToLower(strings.TrimSuffix(e, "."))] = true
		}
	}
	return al
}

// checkAddr returns an error wrapping ErrBlocked when a is not a public
// unicast address (with no fetch.allow).
func checkAddr(a netip.Addr) error { return allowList{}.check(a, false) }

// check returns an error wrapping ErrBlocked when a may not be reached: it
// is not public and fetch.allow does not admit it. byName says the
// connection was made to a host name fetch.allow lists. IPv6 forms that
// embed an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) are judged by
// the embedded address.
func (al allowList) check(a netip.Addr, byName bool) error {
	a = a.Unmap().WithZone("")
	if !a.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrBlocked)
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(a) {
			return al.admit(a, r.why, byName)
		}
	}
	if a.Is6() {
		b := a.As16()
		var v4 netip.Addr
		switch {
		case nat64Prefix.Contains(a):
			v4 = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		case sixToFour.Contains(a):
			v4 = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		case teredoPrefix.Contains(a):
			// The client address is the last 32 bits, inverted.
			v4 = netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
		}
		if v4.IsValid() {
			if err := al.check(v4, byName); err != nil {
				return fmt.Errorf("%w (embedded in %s)", err, a)
			}
		}
	}
	return nil
}

// admit decides for a non-public address a (why: its kind).
func (al allowList) admit(a netip.Addr, why string, byName bool) error {
	if slices.Contains(metadata, a) {
		for _, p := range al.prefixes {
			if p.IsSingleIP() && p.Addr() == a {
				return nil
			}
		}
		return fmt.Errorf("%w: metadata address %s (reached only when fetch.allow names it exactly: \"%s\")", ErrBlocked, a, a)
	}
	for _, ll := range linkLocal {
		if !ll.Contains(a) {
			continue
		}
		for _, p := range al.prefixes {
			if p.Contains(a) && p.Bits() >= ll.Bits() && ll.Contains(p.Addr()) {
				return nil
			}
		}
		return fmt.Errorf("%w: link-local address %s (reached only when fetch.allow names it or a network inside %s)", ErrBlocked, a, ll)
	}
	if byName {
		return nil
	}
	for _, p := range al.prefixes {
		if p.Contains(a) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s address %s (to reach it, add it or its network to fetch.allow)", ErrBlocked, why, a)
}

// control is a net.Dialer.Control hook: it runs after DNS resolution with
// the literal address about to be connected to.
func (al allowList) control(byName bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot check address %q: %v", ErrBlocked, address, err)
		}
		return al.check(ap.Addr(), byName)
	}
}

// guardControl is the hook with no fetch.allow.
func guardControl(network, address string, c syscall.RawConn) error {
	return allowList{}.control(false)(network, address, c)
}
