#!/bin/sh
# verify.sh [UNIT]: check deploy/stet.service (or UNIT) with systemd-analyze (Debian's
# systemd package). Exits 0, saying so, when systemd-analyze is missing.
#
# "systemd-analyze verify" wants ExecStart's binary to exist, so a copy of
# the unit is pointed at a stub executable in a temporary directory. verify
# exits 0 on warnings (an unknown key, a misspelt setting), so any output
# counts as a failure. When this systemd can judge a unit offline, the
# hardening is held too: exposure at most 2.0 on systemd-analyze security's
# 0-10 scale (the unit scores about 1.4).
set -eu

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "verify.sh: systemd-analyze is not installed; skipped" >&2
	exit 0
fi

# The unit to check: the argument, else stet.service next to this script.
unit=${1:-$(cd "$(dirname "$0")" && pwd)/stet.service}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
printf '#!/bin/sh\nexit 0\n' >"$tmp/stet"
chmod 0755 "$tmp/stet"
sed "s#/usr/local/bin/stet#$tmp/stet#g" "$unit" >"$tmp/stet.service"

if ! grep -q "^ExecStart=$tmp/stet run " "$tmp/stet.service"; then
	echo "verify.sh: $unit: ExecStart does not run /usr/local/bin/stet run" >&2
	exit 1
fi

if ! out=$(systemd-analyze verify --man=no "$tmp/stet.service" 2>&1) || [ -n "$out" ]; then
	printf '%s\n' "$out" | sed "s#$tmp/stet.service#$unit#g" >&2
	echo "verify.sh: systemd-analyze verify $unit failed" >&2
	exit 1
fi

if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
	if ! out=$(systemd-analyze security --offline=yes --threshold=20 --no-pager "$tmp/stet.service" 2>&1); then
		printf '%s\n' "$out" | tail -n 3 >&2
		echo "verify.sh: $unit: hardening exposure above 2.0" >&2
		exit 1
	fi
fi

echo "verify.sh: $unit ok"
