# Shared by tools/test-aws-clients.sh and tools/test-reload-under-load.sh (sourced, after they
# define fail): the release inspect binary, and a server started on a free loopback port.

# build_inspect: builds the release `inspect` with the flags in INSPECT_SWIFT_FLAGS (tools/test.sh
# passes its test flags, so the suite after it reuses the build); sets $inspect to its path.
# INSPECT=PATH uses that binary instead, without building.
build_inspect() {
    if [ -n "${INSPECT:-}" ]; then
        inspect=$INSPECT
        [ -x "$inspect" ] || fail "INSPECT=$inspect is not an executable"
        return 0
    fi
    echo "== building the release server" >&2
    # shellcheck disable=SC2086
    swift build -c release ${INSPECT_SWIFT_FLAGS:-} --product inspect >&2 || fail "swift build"
    # shellcheck disable=SC2086
    inspect="$(swift build -c release ${INSPECT_SWIFT_FLAGS:-} --show-bin-path)/inspect"
}

# make_work_folder: a temporary folder $work, removed on exit together with the server that
# start_server started (stopped with SIGTERM first).
make_work_folder() {
    work="$(mktemp -d)"
    server=""
    trap stop_server_and_remove_work EXIT
}

stop_server_and_remove_work() {
    [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}

# start_server LOG ARGS...: `inspect serve --host 127.0.0.1 --port 0 ARGS...` in the background
# with its standard error in LOG; sets $server (its process id) and, once it listens, $url.
start_server() {
    local log=$1
    shift
    "$inspect" serve --host 127.0.0.1 --port 0 "$@" 2>"$log" &
    server=$!
    url=""
    for _ in $(seq 1 300); do
        url="$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)"
        [ -n "$url" ] && return 0
        kill -0 "$server" 2>/dev/null || { cat "$log" >&2; fail "the server did not start"; }
        sleep 0.1
    done
    cat "$log" >&2
    fail "the server did not start in 30 s"
}
