#!/usr/bin/env bash
# The project's test command (README, and CI through .ci/run). Numeric code is tested in
# an optimised build because SIMD code in a debug build runs 100x slower.
#  1. The decoder torture (every prefix and 500 random mutations of seven fixtures) built
#     with AddressSanitizer + LeakSanitizer, so a leak or an out-of-bounds access on a
#     damaged file's error path fails the run. Only Imaging is built for it.
#  2. The Kubernetes manifests parsed with PyYAML (Debian's python3-yaml; tools/setup.sh
#     installs it) and checked to fit together.
#  3. The AWS-compatible routes through boto3 and the AWS CLI (tools/test-aws-clients.sh;
#     installs them from PyPI into tools/.venv-aws).
#  4. Reloading the models under wrk load (tools/test-reload-under-load.sh): no request lost.
#  5. The whole suite, optimised with testing enabled. Its summary line is the last one.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== decoders under AddressSanitizer and LeakSanitizer" >&2
swift build -c release --product imaging-robustness --sanitize=address --scratch-path .build-asan
fixtures=Tests/ImagingTests/Fixtures
ASAN_OPTIONS=detect_leaks=1 "$(swift build -c release --scratch-path .build-asan --show-bin-path)/imaging-robustness" \
    $fixtures/png-rgba8.png $fixtures/png-palette4-trns.png $fixtures/png-rgb16-interlaced.png \
    $fixtures/jpeg-baseline.jpg $fixtures/jpeg-progressive.jpg $fixtures/jpeg-cmyk-adobe.jpg \
    $fixtures/jpeg-exif-orientation-6.jpg $fixtures/bomb-24000.png $fixtures/bomb-24000.jpg
echo "== Kubernetes manifests" >&2
python=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import yaml' 2>/dev/null; then python=$candidate; break; fi
done
[ -n "$python" ] || { echo "error: no python3 with PyYAML (run tools/setup.sh --deps-only)" >&2; exit 1; }
"$python" tools/deploy-tests/check_manifests.py
echo "== AWS clients (boto3, the AWS CLI) against the release server" >&2
# The suite's own flags, so the suite below reuses this build.
INSPECT_SWIFT_FLAGS="-Xswiftc -enable-testing" bash tools/test-aws-clients.sh
echo "== reloading the models under load (wrk)" >&2
INSPECT_SWIFT_FLAGS="-Xswiftc -enable-testing" bash tools/test-reload-under-load.sh
echo "== all tests" >&2
swift test -c release -Xswiftc -enable-testing
