#!/usr/bin/env bash
# The project's test command (README, and CI through .ci/run). Numeric code is tested in
# an optimised build because SIMD code in a debug build runs 100x slower.
#  1. The decoders' robustness tests again under AddressSanitizer + LeakSanitizer, so a
#     leak or an out-of-bounds access on a damaged file's error path fails the run.
#  2. The whole suite, optimised with testing enabled. Its summary line is the last one.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== decoders under AddressSanitizer and LeakSanitizer" >&2
swift build -c release -Xswiftc -enable-testing --build-tests --sanitize=address --scratch-path .build-asan
ASAN_OPTIONS=detect_leaks=1 "$(swift build -c release --scratch-path .build-asan --show-bin-path)/InspectPackageTests.xctest" \
    --testing-library swift-testing --filter "RobustnessTests|DecodingTests|ErrorTests"
echo "== all tests" >&2
swift test -c release -Xswiftc -enable-testing
