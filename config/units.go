package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written in Go syntax ("90s", "1h30m") or with
// days ("7d", "1d12h"). Convert with time.Duration(d).
type Duration time.Duration

const day = 24 * time.Hour

// ParseDuration parses Go duration syntax extended with a "d" unit of 24
// hours: "30m", "6h", "7d", "1d12h", "-2d". A bare "0" is zero; any other
// number needs a unit.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	bad := func(why string) error {
		return fmt.Errorf("bad duration %q: %s (want forms like 90s, 10m, 6h or 7d)", orig, why)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, bad("empty")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "0" {
		return 0, nil
	}
	// Split into number+unit tokens; days are summed here, the rest is
	// left to time.ParseDuration.
	var days float64
	var rest strings.Builder
	for s != "" {
		i := 0
		for i < len(s) && (s[i] == '.' || s[i] >= '0' && s[i] <= '9') {
			i++
		}
		if i == 0 {
			return 0, bad("expected a number")
		}
		j := i
		for j < len(s) && (s[j] < '0' || s[j] > '9') && s[j] != '.' {
			j++
		}
		num, unit := s[:i], s[i:j]
		s = s[j:]
		switch unit {
		case "":
			return 0, bad("missing unit")
		default:
			if strings.TrimSpace(unit) != unit {
				return 0, bad("no space between number and unit")
			}
			return 0, bad("unknown unit " + strconv.Quote(unit))
		case "d":
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, bad("bad number " + strconv.Quote(num))
			}
			days += f
		case "ns", "us", "µs", "μs", "ms", "s", "m", "h":
			rest.WriteString(num)
			rest.WriteString(unit)
		}
	}
	const maxDays = float64(math.MaxInt64 / int64(day))
	if days > maxDays {
		return 0, bad("too long")
	}
	d := time.Duration(days * float64(day))
	if rest.Len() > 0 {
		r, err := time.ParseDuration(rest.String())
		if err != nil {
			return 0, bad("too long or malformed")
		}
		if d > time.Duration(math.MaxInt64)-r {
			return 0, bad("too long")
		}
		d += r
	}
	if neg {
		d = -d
	}
	return d, nil
}

// String writes whole days as "7d" and anything else as time.Duration does.
func (d Duration) String() string {
	td := time.Duration(d)
	if td != 0 && td%day == 0 {
		return strconv.FormatInt(int64(td/day), 10) + "d"
	}
	s := td.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ByteSize is a number of bytes, written as an integer or with a unit:
// "512KB" (1000-based: K, KB, M, MB, G, GB) or "20MiB" (1024-based: Ki, KiB,
// Mi, MiB, Gi, GiB). Units are case-insensitive.
type ByteSize int64

var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1000, "kb": 1000, "m": 1000 * 1000, "mb": 1000 * 1000,
	"g": 1000 * 1000 * 1000, "gb": 1000 * 1000 * 1000,
	"ki": 1 << 10, "kib": 1 << 10, "mi": 1 << 20, "mib": 1 << 20,
	"gi": 1 << 30, "gib": 1 << 30,
}

// ParseByteSize parses "1048576", "512KB", "20MiB", "1.5 GiB".
func ParseByteSize(s string) (ByteSize, error) {
	orig := s
	bad := func(why string) error {
		return fmt.Errorf("bad size %q: %s (want forms like 1048576, 512KB or 20MiB)", orig, why)
	}
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] == '.' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == 0 {
		return 0, bad("expected a number")
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	mult, ok := byteUnits[unit]
	if !ok {
		return 0, bad("unknown unit " + strconv.Quote(strings.TrimSpace(s[i:])))
	}
	if !strings.Contains(num, ".") {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n > math.MaxInt64/mult {
			return 0, bad("too large")
		}
		return ByteSize(n * mult), nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, bad("bad number")
	}
	v := f * float64(mult)
	if v >= math.MaxInt64 {
		return 0, bad("too large")
	}
	return ByteSize(v), nil
}

// String writes the size with the largest 1024-based unit that divides it.
func (b ByteSize) String() string {
	switch {
	case b != 0 && b%(1<<30) == 0:
		return strconv.FormatInt(int64(b>>30), 10) + "GiB"
	case b != 0 && b%(1<<20) == 0:
		return strconv.FormatInt(int64(b>>20), 10) + "MiB"
	case b != 0 && b%(1<<10) == 0:
		return strconv.FormatInt(int64(b>>10), 10) + "KiB"
	}
	return strconv.FormatInt(int64(b), 10)
}

// MarshalText implements encoding.TextMarshaler.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *ByteSize) UnmarshalText(t []byte) error {
	v, err := ParseByteSize(string(t))
	if err != nil {
		return err
	}
	*b = v
	return nil
}
