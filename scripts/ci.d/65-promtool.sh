#!/usr/bin/env bash
# promtool for the alert rule tests (test/integration/appliance/alert-rules.test.ts): taken from
# Debian's prometheus package (apt-get download, dpkg-deb -x), not installed with it: the package
# would start a prometheus daemon on this machine. Idempotent.
set -euo pipefail
command -v promtool >/dev/null && exit 0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq prometheus 2>/dev/null)
dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
install -m 0755 "$tmp/root/usr/bin/promtool" /usr/local/bin/promtool
promtool --version | head -1
