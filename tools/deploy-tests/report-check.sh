#!/usr/bin/env bash
# Checks the HTML reports in headless Chromium, as browser-test.sh checks the web page (Debian
# chromium + chromium-driver, Selenium from PyPI in tools/.venv-browser): generated demo data,
# a model trained on it and evaluated on its test photos (its report.html), captured traffic made from held-back good photos
# darkened by half and `inspect monitor` on it (monitor-report.html). Each page must render its
# charts and thumbnails with no script (the phone-width overflow is printed: charts are fixed-size); screenshots go
# to docs/report-example.png and docs/monitor-example.png.
# Run from anywhere: tools/deploy-tests/report-check.sh [--backbone texture-statistics-v1] (train options); build flags
# come from INSPECT_SWIFT_FLAGS (e.g. "-Xswiftc -enable-testing" to reuse the test build).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source tools/deploy-tests/common.sh
browser_setup
swift build -c release ${INSPECT_SWIFT_FLAGS:-} --product inspect >&2
inspect="$(swift build -c release ${INSPECT_SWIFT_FLAGS:-} --show-bin-path)/inspect"
work="$(mktemp -d)"
trap 'kill -TERM ${server:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
"$inspect" demo-data "$work/demo" --test-good 40 --test-bad 10 >&2
"$inspect" train "$work/demo/train/good" "$work/demo/train/bad" --test-good "$work/demo/test/good" --test-bad "$work/demo/test/bad" \
    --name demo --model-store "$work/store" "$@" >&2
# Captured traffic: the held-back good photos, darkened, posted to the server with capture on.
mkdir -p "$work/dark"
"$BROWSER_PYTHON" - "$work/demo/test/good" "$work/dark" <<'PY'
import os, struct, sys, zlib
# Halve every byte of the 8-bit RGB PNGs demo-data writes (filter bytes of each row reset to 0).
src, dst = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR": width, height = struct.unpack(">II", body[:8])
        if kind == b"IDAT": idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride, rows, previous = width * 3, [], bytearray(width * 3)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = previous[i]
            c = previous[i - 3] if i >= 3 else 0
            p = a + b - c
            pred = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else (b if abs(p - b) <= abs(p - c) else c)
            line[i] = (line[i] + [0, a, b, (a + b) // 2, pred][f]) & 255
        rows.append(bytes(line)); previous = line
    out = b"".join(b"\x00" + bytes(v // 2 for v in r) for r in rows)
    def chunk(kind, body): return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(out)) + chunk(b"IEND", b"")
    open(os.path.join(dst, name), "wb").write(png)
PY
log="$work/serve.log"
"$inspect" serve --port 0 --model-store "$work/store" --capture "$work/captures" --access-log off 2>"$log" &
server=$!
url=""
for _ in $(seq 1 200); do
    url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" || true)"
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; exit 1; }
for photo in "$work"/dark/*.png; do
    curl -s -o /dev/null -XPOST -H 'Content-Type: image/png' --data-binary @"$photo" "${url}v1/inspection/demo/detect"
done
curl -s "${url}metrics" | grep '^inspect_drift' >&2 || true
kill -TERM $server; wait $server 2>/dev/null || true
set +e
"$inspect" monitor "$work/captures" --model demo --model-store "$work/store" --html "$work/monitor-report.html" >&2
status=$?
set -e
[ "$status" = 3 ] || { echo "inspect monitor exited $status on darkened traffic, expected 3" >&2; exit 1; }
"$BROWSER_PYTHON" tools/deploy-tests/report_check.py "$work/store/demo/v1/report.html" docs/report-example.png \
    "$work/monitor-report.html" docs/monitor-example.png
