#!/usr/bin/env bash
# Browser test of the web page: headless Chromium (Debian chromium + chromium-driver) driven by
# Selenium (PyPI, in tools/.venv-browser) against `inspect serve` on a free loopback port.
# Fills the survival form, uploads a portrait from ../shared/datasets/portraits as a selfie and a
# product photo from ../shared/datasets/lookout-aliens (each when the server offers that panel),
# checks that the verdicts shown match the API's answers for the same inputs, and saves
# screenshots under docs/screenshots/ (desktop and phone widths).
# Run from anywhere: tools/deploy-tests/browser-test.sh [--models DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source tools/deploy-tests/common.sh
browser_setup
swift build -c release --product inspect >&2
inspect="$(swift build -c release --show-bin-path)/inspect"
log="$(mktemp)"
"$inspect" serve --host 127.0.0.1 --port 0 "$@" 2>"$log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
    url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" || true)"
    [ -n "$url" ] && break
    kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$log" >&2; exit 1; }
echo "server at $url" >&2
mkdir -p docs/screenshots
"$BROWSER_PYTHON" tools/deploy-tests/browser_test.py "$url" "$root/../shared/datasets" docs/screenshots
