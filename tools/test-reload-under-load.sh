#!/usr/bin/env bash
# Reloading the models under load loses no request (docs/MODELS.md). Trains two versions of a
# small model "demo" on generated photos (`inspect demo-data`), starts the release server on a
# free loopback port with an admin token, then runs wrk against the detect route for 10 s
# while the served version is switched back and forth (`inspect models promote`) and the
# models reloaded, alternately by SIGHUP and by POST /v1/models/reload. Fails (exit 1) unless
# wrk reports no socket error and no non-2xx answer, every request in the access log was
# answered 200, every reload was logged, and the server ends up serving the last promoted
# version. Build flags come from INSPECT_SWIFT_FLAGS (tools/test.sh passes its test flags).
# INSPECT=PATH uses a built binary instead. Run from anywhere: tools/test-reload-under-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "test-reload-under-load: FAILED: $*" >&2; exit 1; }
command -v wrk >/dev/null || fail "needs wrk (Debian: apt-get install wrk)"
command -v curl >/dev/null || fail "needs curl"

# shellcheck source=tools/serve-for-tests.sh
. tools/serve-for-tests.sh
build_inspect

make_work_folder

echo "== training two versions of 'demo' on generated photos" >&2
"$inspect" demo-data "$work/demo" --good 10 --bad 0 --test-good 2 --test-bad 2 >/dev/null
for seed in 1 2; do
    "$inspect" train "$work/demo/train/good" --name demo --seed "$seed" --input-size 160 --no-holdout-report \
        --model-store "$work/store" >"$work/train-$seed.log" 2>&1 || { cat "$work/train-$seed.log" >&2; fail "inspect train (seed $seed)"; }
done
"$inspect" models list --model-store "$work/store" >&2
photo="$work/demo/test/bad/$(ls "$work/demo/test/bad" | grep '\.png$' | sed -n 1p)"

token="reload-under-load-$RANDOM$RANDOM"
start_server "$work/server.log" --model-store "$work/store" --admin-token "$token" --queue 64 --access-log "$work/access.log"

cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/png"
local file = io.open("$photo", "rb")
wrk.body = file:read("*all")
file:close()
LUA

echo "== wrk against $url/v1/inspection/demo/detect for 10 s while reloading" >&2
wrk -t 2 -c 4 -d 10s --timeout 10s -s "$work/post.lua" "$url/v1/inspection/demo/detect" >"$work/wrk.txt" 2>&1 &
load=$!
reloads=0
for round in 1 2 3 4 5 6; do
    sleep 1.2
    version=$(( (round + 1) % 2 + 1 ))  # 1, 2, 1, ...: the newest, v2, is served at the start
    "$inspect" models promote demo "$version" --model-store "$work/store" >/dev/null
    if [ $(( round % 2 )) -eq 1 ]; then
        kill -HUP "$server"
        echo "round $round: promoted v$version, SIGHUP" >&2
    else
        answer="$(curl -s -o "$work/reload-$round.json" -w '%{http_code}' -XPOST -H "Authorization: Bearer $token" "$url/v1/models/reload")"
        [ "$answer" = 200 ] || { cat "$work/reload-$round.json" >&2; fail "POST /v1/models/reload answered $answer"; }
        grep -q "\"demo v$version\"" "$work/reload-$round.json" || { cat "$work/reload-$round.json" >&2; fail "the reload does not serve demo v$version"; }
        echo "round $round: promoted v$version, POST /v1/models/reload: $(cat "$work/reload-$round.json")" >&2
    fi
    reloads=$(( reloads + 1 ))
done
wrong="$(curl -s -o /dev/null -w '%{http_code}' -XPOST -H "Authorization: Bearer not-$token" "$url/v1/models/reload")"
[ "$wrong" = 403 ] || fail "a wrong admin token was answered $wrong, not 403"
wait "$load" || { cat "$work/wrk.txt" >&2; fail "wrk"; }
cat "$work/wrk.txt" >&2

# wrk prints these lines only when there were such responses or errors.
if grep -q "Non-2xx or 3xx responses" "$work/wrk.txt"; then fail "wrk saw non-2xx answers"; fi
if grep -q "Socket errors" "$work/wrk.txt"; then fail "wrk saw socket errors"; fi
requests="$(grep -o '[0-9]* requests in' "$work/wrk.txt" | awk '{print $1}')"
[ "${requests:-0}" -gt 0 ] || fail "wrk made no request"

# SIGHUP reloads run on their own: wait for the last one to be logged.
for _ in $(seq 1 100); do
    [ "$(grep -c 'reloaded the models' "$work/server.log")" -ge "$reloads" ] && break
    sleep 0.1
done
logged="$(grep -c 'reloaded the models' "$work/server.log" || true)"
[ "$logged" -ge "$reloads" ] || { cat "$work/server.log" >&2; fail "$logged reloads logged, expected $reloads"; }
grep 'reloaded the models' "$work/server.log" >&2
detects="$(grep -c '/v1/inspection/' "$work/access.log" || true)"
not_ok="$(grep '/v1/inspection/' "$work/access.log" | grep -vc '"status":200' || true)"
[ "$not_ok" -eq 0 ] || { grep '/v1/inspection/' "$work/access.log" | grep -v '"status":200' | head -5 >&2; fail "$not_ok of $detects detect requests were not answered 200"; }
curl -s "$url/v1/models" | grep -q '"Name":"demo"[^}]*"Version":2' \
    || { curl -s "$url/v1/models" >&2; fail "the server does not serve the last promoted version, demo v2"; }
echo "ok    $requests requests under $reloads reloads ($(( reloads / 2 )) SIGHUP, $(( reloads / 2 )) POST): all answered 200, no socket error" >&2
echo "test-reload-under-load: all passed" >&2
