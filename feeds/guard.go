package feeds

import (
	"fmt"
	"net/netip"
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

// checkAddr returns an error wrapping ErrBlocked when a is not a public
// unicast address. IPv6 forms that embed an IPv4 address (IPv4-mapped,
// NAT64, 6to4, Teredo) are judged by the embedded address.
func checkAddr(a netip.Addr) error {
	a = a.Unmap().WithZone("")
	if !a.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrBlocked)
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(a) {
			return fmt.Errorf("%w: %s address %s", ErrBlocked, r.why, a)
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
			if err := checkAddr(v4); err != nil {
				return fmt.Errorf("%w (embedded in %s)", err, a)
			}
		}
	}
	return nil
}

// guardControl is a net.Dialer.Control hook: it runs after DNS resolution
// with the literal address about to be connected to.
func guardControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check address %q: %v", ErrBlocked, address, err)
	}
	return checkAddr(ap.Addr())
}
