#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks (libpng, libjpeg-turbo, pkg-config, and python3
# with PyYAML for the manifest check in tools/test.sh), then
# builds the release binary .build/release/inspect. With --deps-only, stops after the
# system packages. Needs the Swift toolchain on PATH (swift.org; 6.0 or newer).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libpng-dev libjpeg-dev zlib1g-dev pkg-config python3 python3-yaml)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
command -v swift >/dev/null || { echo "error: swift is not on PATH (install Swift 6 from swift.org)" >&2; exit 1; }
[ "${1:-}" = "--deps-only" ] && exit 0
swift build -c release --product inspect
echo "built $(swift build -c release --show-bin-path)/inspect" >&2
