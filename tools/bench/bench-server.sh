#!/usr/bin/env bash
# Load benchmark of `inspect serve` on loopback with wrk (Debian): requests/s and p50/p99 latency
# at 16 connections for POST /v1/survival/predict (JSON) and, when the server has an inspection
# model, POST /v1/inspection/{model}/detect with a 550x380 PNG from ../shared/datasets/lookout-aliens.
# The reference measured in the same run is GET /healthz on the same server (the HTTP floor: what
# the framework costs without a model); the ratio is route req/s over healthz req/s. Fails when any
# request errs or answers non-2xx. Prints the server's RSS before the load and after each route
# (the inspection route runs twice: growth in the first run is buffers and queued requests warming
# up; the second run shows whether memory keeps growing).
# Then dynamic batching (`--max-batch`): the inspection detect route (and faces detect with a
# portrait from ../shared/datasets/portraits) at 1, 8 and 32 connections on a server without
# batching and on one with --max-batch $BATCH (8) --max-wait-ms $WAIT_MS (0), both with --queue 64
# so 32 connections meet no 503; prints req/s and p99 of each and their ratios.
# Run from anywhere: tools/bench/bench-server.sh [seconds per route, default 10] [--models DIR]
# (INSPECT=PATH uses a built binary; BATCH, WAIT_MS set the batching flags.)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-10}"
shift || true
command -v wrk >/dev/null || { echo "installing wrk (Debian)" >&2; apt-get update -qq >&2; apt-get install -y -qq wrk >&2; }
if [ -n "${INSPECT:-}" ]; then
    inspect="$INSPECT"
else
    swift build -c release --product inspect >&2
    inspect="$(swift build -c release --show-bin-path)/inspect"
fi
models_args=("$@")
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill -TERM $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
# Starts `inspect serve` with the given extra flags; sets server (pid) and url.
start_server() {
    "$inspect" serve --host 127.0.0.1 --port 0 "${models_args[@]}" "$@" 2>"$work/server.log" &
    server=$!
    url=""
    for _ in $(seq 1 300); do
        url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/server.log" || true)"
        [ -n "$url" ] && break
        kill -0 $server 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$url" ] || { echo "the server did not start" >&2; exit 1; }
}
stop_server() { kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; server=""; }
start_server
rss() { awk '/VmRSS/ {print $2 / 1024}' "/proc/$server/status"; }

# wrk script: method, body and content type from the environment; counts non-2xx answers.
cat > "$work/post.lua" <<'LUA'
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local file = os.getenv("BENCH_BODY_FILE")
if file and file ~= "" then local f = assert(io.open(file, "rb")); wrk.body = f:read("*a"); f:close() end
if (os.getenv("BENCH_TYPE") or "") ~= "" then wrk.headers["Content-Type"] = os.getenv("BENCH_TYPE") end
local bad = 0
function response(status) if status < 200 or status > 299 then bad = bad + 1 end end
function done(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    summary.requests))
end
LUA
printf '{"age": 28, "sex": "male", "pclass": 3, "embarked": "S"}' > "$work/survival.json"

declare -a rows
status=0
# Waits (at most 30 s) until no inference job runs or waits: requests of a closed wrk run still
# in the queue would otherwise meet the next run with 503s.
drain() {
    for _ in $(seq 1 300); do
        curl -s "$url/metrics" | grep -Eq '^inspect_(inference_running|inference_waiting|batch_waiting) [1-9]' || return 0
        sleep 0.1
    done
}
# One wrk run: sets rps p50 p99 errors total. Arguments: connections method path body-file content-type.
measure() {
    local connections="$1" out
    drain
    out="$(BENCH_METHOD="$2" BENCH_BODY_FILE="$4" BENCH_TYPE="$5" wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${duration}s" --timeout 30s --latency -s "$work/post.lua" "$url$3" | grep '^RESULT')"
    read -r _ rps p50 p99 errors total <<<"$out"
}
run() {  # name method path body-file content-type
    local name="$1"
    measure 16 "$2" "$3" "$4" "$5"
    rows+=("$name|$rps|$p50|$p99|$errors|$total|$(rss)")
    [ "$errors" = "0" ] || status=1
}

# Warm-up, then the reference and the routes.
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$work/survival.json" "$url/v1/survival/predict"
rss_before="$(rss)"
run "GET /healthz (reference)" GET /healthz "" ""
run "POST /v1/survival/predict" POST /v1/survival/predict "$work/survival.json" application/json
model="$(curl -s "$url/v1/models" | python3 -c 'import json,sys; m=[x["Name"] for x in json.load(sys.stdin)["Models"] if x["Kind"]=="inspection"]; print(m[0] if m else "")')"
photo="$(ls "$root"/../shared/datasets/lookout-aliens/normal/*.png 2>/dev/null | head -1 || true)"
if [ -n "$model" ] && [ -n "$photo" ]; then
    curl -s -o /dev/null -X POST -H 'Content-Type: image/png' --data-binary @"$photo" "$url/v1/inspection/$model/detect"
    run "POST /v1/inspection/$model/detect (550x380 PNG)" POST "/v1/inspection/$model/detect" "$photo" image/png
    run "  same, second run (memory growth check)" POST "/v1/inspection/$model/detect" "$photo" image/png
else
    echo "no inspection model on the server (or no lookout-aliens photos): inspection route not measured" >&2
fi
rss_after="$(rss)"

echo "inspect serve on $url, wrk 2 threads, 16 connections, ${duration} s per route, $(nproc) cores"
reference="${rows[0]#*|}"; reference="${reference%%|*}"
printf '%-52s %10s %10s %10s %8s %9s %11s %14s\n' route "req/s" "p50 ms" "p99 ms" errors requests "vs healthz" "RSS after MB"
for row in "${rows[@]}"; do
    IFS='|' read -r name rps p50 p99 errors total after <<<"$row"
    printf '%-52s %10s %10s %10s %8s %9s %11s %14.1f\n' "$name" "$rps" "$p50" "$p99" "$errors" "$total" "$(awk -v a="$rps" -v b="$reference" 'BEGIN {printf "%.3f", a / b}')" "$after"
done
printf 'server RSS: %.1f MB before the load, %.1f MB after (%+.1f MB)\n' "$rss_before" "$rss_after" "$(awk -v a="$rss_after" -v b="$rss_before" 'BEGIN {print a - b}')"
[ "$status" = 0 ] || { echo "some requests failed" >&2; exit 1; }

# Dynamic batching: the same routes at 1, 8 and 32 connections, without and with --max-batch.
batch="${BATCH:-8}"
wait_ms="${WAIT_MS:-0}"
portrait="$(ls "$root"/../shared/datasets/portraits/*.jpg 2>/dev/null | head -1 || true)"
[ -n "$model" ] && [ -n "$photo" ] || exit 0
declare -a batching_rows
for setting in off on; do
    stop_server
    if [ "$setting" = on ]; then start_server --queue 64 --max-batch "$batch" --max-wait-ms "$wait_ms"; else start_server --queue 64; fi
    curl -s -o /dev/null -X POST -H 'Content-Type: image/png' --data-binary @"$photo" "$url/v1/inspection/$model/detect"
    for connections in 1 8 32; do
        measure "$connections" POST "/v1/inspection/$model/detect" "$photo" image/png
        batching_rows+=("inspection detect|$connections|$setting|$rps|$p99|$errors")
        [ "$errors" = "0" ] || status=1
    done
    if [ -n "$portrait" ]; then
        for connections in 1 8 32; do
            measure "$connections" POST /v1/faces/detect "$portrait" image/jpeg
            batching_rows+=("faces detect|$connections|$setting|$rps|$p99|$errors")
            [ "$errors" = "0" ] || status=1
        done
    fi
done
stop_server
echo
echo "dynamic batching: --max-batch $batch --max-wait-ms $wait_ms against none (both --queue 64), ${duration} s per run"
[ -n "$portrait" ] && echo "faces detect: $(basename "$portrait")"
printf '%-20s %6s %12s %10s %12s %10s %12s %10s\n' route conns "req/s off" "p99 off" "req/s on" "p99 on" "throughput" "p99"
for row in "${batching_rows[@]}"; do
    IFS='|' read -r name connections setting rps p99 errors <<<"$row"
    [ "$setting" = off ] || continue
    on="$(printf '%s\n' "${batching_rows[@]}" | grep "^$name|$connections|on|")"
    IFS='|' read -r _ _ _ rps_on p99_on _ <<<"$on"
    printf '%-20s %6s %12s %10s %12s %10s %11sx %9sx\n' "$name" "$connections" "$rps" "$p99" "$rps_on" "$p99_on" \
        "$(awk -v a="$rps_on" -v b="$rps" 'BEGIN {printf "%.2f", a / b}')" "$(awk -v a="$p99_on" -v b="$p99" 'BEGIN {printf "%.2f", a / b}')"
done
tools/machine-speed.sh
[ "$status" = 0 ] || { echo "some requests failed" >&2; exit 1; }
