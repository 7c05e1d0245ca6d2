#!/usr/bin/env bash
# Two `inspect serve` replicas behind Debian's nginx with deploy/nginx/inspect.conf, all on
# loopback. Checks that both replicas give the same answers, then runs wrk for 20 s against
# survival predict and inspection detect at once and kills one replica with SIGKILL halfway.
# Passes when no failed request reaches wrk (nginx resends to the other replica). Prints
# requests/s and p99 latency of each route before and after the kill (from nginx's access
# log, split at the kill), and how many requests nginx resent.
# Environment: INSPECT (a built binary; default: build it), DURATION (default 20 s),
# CONNECTIONS per route (default 4), PORT (nginx; the replicas use PORT+1 and PORT+2).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/deploy-tests/common.sh
started=$(date +%s)
inspect_binary
apt_install nginx wrk
duration=${DURATION:-20}
connections=${CONNECTIONS:-4}
port=${PORT:-18180}

work=$(mktemp -d /tmp/inspect-replicas.XXXXXX)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    echo "stopped what this test started; files in $work" >&2
}
trap cleanup EXIT

make_demo_model "$work" 2 2
photo=$(find "$work/demo/test/bad" -name '*.png' | sort | head -1)

replica_pids=()
for i in 1 2; do
    "$INSPECT" serve --host 127.0.0.1 --port $((port + i)) --model-store "$work/store" >"$work/replica-$i.log" 2>&1 &
    pids+=($!)
    replica_pids+=($!)
done
for i in 1 2; do
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$((port + i))/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$((port + i))/healthz" >/dev/null || { echo "error: replica $i did not start; see $work/replica-$i.log" >&2; exit 1; }
done

# Nothing in a request depends on the replica that serves it.
for i in 1 2; do
    curl -sf -XPOST -H 'Content-Type: image/png' --data-binary @"$photo" \
        "http://127.0.0.1:$((port + i))/v1/inspection/demo/detect" > "$work/detect-$i.json"
    curl -sf -XPOST -H 'Content-Type: text/csv' --data-binary '28,male,3,S' \
        "http://127.0.0.1:$((port + i))/v1/survival/predict" > "$work/predict-$i.json"
done
cmp "$work/detect-1.json" "$work/detect-2.json"
cmp "$work/predict-1.json" "$work/predict-2.json"
echo "both replicas give the same answers" >&2

mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
sed -e "s/127.0.0.1:8081/127.0.0.1:$((port + 1))/" -e "s/127.0.0.1:8082/127.0.0.1:$((port + 2))/" \
    -e "s/listen 127.0.0.1:8080/listen 127.0.0.1:$port/" deploy/nginx/inspect.conf > "$work/nginx/inspect.conf"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    log_format timing '\$msec|\$request_time|\$status|\$upstream_addr|\$upstream_status|\$uri';
    access_log $work/nginx/logs/access.log timing;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    include $work/nginx/inspect.conf;
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

cat > "$work/predict.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/csv"
wrk.body = "28,male,3,S"
LUA
cat > "$work/detect.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/png"
local f = assert(io.open("$photo", "rb"))
wrk.body = f:read("*all")
f:close()
LUA

wrk -t1 -c"$connections" -d"${duration}s" --timeout 30s -s "$work/predict.lua" \
    "http://127.0.0.1:$port/v1/survival/predict" > "$work/wrk-predict.txt" &
wrk_predict=$!
wrk -t1 -c"$connections" -d"${duration}s" --timeout 30s -s "$work/detect.lua" \
    "http://127.0.0.1:$port/v1/inspection/demo/detect" > "$work/wrk-detect.txt" &
wrk_detect=$!
load_started=$(date +%s.%N)
sleep "$(echo "$duration / 2" | bc -l)"
killed_at=$(date +%s.%N)
kill -9 "${replica_pids[0]}"
wait "${replica_pids[0]}" 2>/dev/null || true
echo "killed replica 1 (SIGKILL) after $(echo "$killed_at - $load_started" | bc) s" >&2
wait "$wrk_predict" "$wrk_detect"
load_ended=$(date +%s.%N)

failed=0
for route in predict detect; do
    echo "-- wrk, $route:"
    cat "$work/wrk-$route.txt"
    if grep -qE 'Non-2xx|Socket errors' "$work/wrk-$route.txt"; then failed=1; fi
done

python3 - "$work/nginx/logs/access.log" "$load_started" "$killed_at" "$load_ended" <<'PY'
import sys
log, start, kill, end = sys.argv[1], *map(float, sys.argv[2:])
phases = {"before": (start, kill), "after": (kill, end)}
rows = []
for line in open(log):
    msec, seconds, status, upstreams, statuses, uri = line.rstrip("\n").split("|")
    rows.append((float(msec), float(seconds), int(status), upstreams.count(",") > 0, uri))
for route, name in (("/v1/survival/predict", "survival predict"), ("/v1/inspection/demo/detect", "inspection detect")):
    for phase, (a, b) in phases.items():
        # 499: wrk closed the connection when its time was up; not an answer, not a failure.
        ended = [r for r in rows if r[4] == route and a <= r[0] < b]
        done = [r for r in ended if r[2] != 499]
        latencies = sorted(r[1] for r in done)
        p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000 if latencies else float("nan")
        failed = sum(1 for r in done if r[2] >= 400)
        resent = sum(1 for r in done if r[3])
        print(f"{name:18s} {phase:6s} the kill: {len(done) / (b - a):7.1f} requests/s, p99 {p99:6.0f} ms, "
              f"{len(done)} answered, {failed} failed, {resent} resent to the other replica"
              + (f", {len(ended) - len(done)} cut off by wrk stopping" if len(ended) > len(done) else ""))
PY
echo "whole test: $(( $(date +%s) - started )) s"
if [ "$failed" -ne 0 ]; then echo "FAIL: wrk saw failed requests" >&2; exit 1; fi
echo "PASS: no failed request reached the client"
