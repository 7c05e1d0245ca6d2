# Shared by the deploy tests (sourced): the inspect binary and a generated model to score with.

# Builds the release binary unless $INSPECT names one; sets INSPECT to its path.
inspect_binary() {
    if [ -z "${INSPECT:-}" ]; then
        swift build -c release --product inspect >&2
        INSPECT="$(swift build -c release --show-bin-path)/inspect"
    fi
    [ -x "$INSPECT" ] || { echo "error: $INSPECT is not an executable" >&2; exit 1; }
    export INSPECT
}

# make_demo_model DIR TEST_GOOD TEST_BAD: generated photos in DIR/demo (DIR/demo/test to
# score) and the model DIR/store/demo, trained on 10 good photos with the default backbone
# (good photos only, so no supervised head to fine-tune: seconds, not minutes; scoring runs
# the same network either way).
make_demo_model() {
    local dir=$1
    "$INSPECT" demo-data "$dir/demo" --good 10 --bad 0 --test-good "$2" --test-bad "$3" >&2
    "$INSPECT" train "$dir/demo/train/good" --name demo --model-store "$dir/store" >&2
}

# Installs Debian packages that are missing.
apt_install() {
    local missing=() package sudo=""
    for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "installing ${missing[*]}" >&2
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Headless Chromium for the browser checks: Debian's chromium and chromium-driver when missing,
# and Selenium from PyPI in tools/.venv-browser (run from the repository root); sets
# BROWSER_PYTHON to that environment's python.
browser_setup() {
    apt_install chromium chromium-driver
    local venv="tools/.venv-browser"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet "selenium==4.27.1"
    fi
    BROWSER_PYTHON="$venv/bin/python"
}
