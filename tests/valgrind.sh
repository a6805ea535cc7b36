#!/usr/bin/env bash
# The daemon under valgrind memcheck for a while (VALGRIND_SECONDS, default 60): --no-bus on
# the host-a fixture, collecting every 0.2 s, served over TLS with a token, scraped on every
# endpoint (good and bad requests), SIGHUP every 10 s (which restarts the HTTP server on its
# socket), then SIGTERM. Passes when memcheck reports no error and nothing definitely or
# indirectly lost. Usage: tests/valgrind.sh BUILD/unitwatchd
set -euo pipefail
bin=$(readlink -f "${1:?usage: $0 BUILD/unitwatchd}")
seconds=${VALGRIND_SECONDS:-60}
port=19976
work=$(mktemp -d /tmp/unitwatch-valgrind.XXXXXX)
vpid=
cleanup() {
        [ -n "$vpid" ] && kill -9 "$vpid" 2>/dev/null || true
        rm -rf "$work"
}
trap cleanup EXIT
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

openssl rand -hex 24 >"$work/token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 2>/dev/null
printf '{"http": {"token_file": "%s", "tls_cert": "%s", "tls_key": "%s"}}\n' \
        "$work/token" "$work/cert.pem" "$work/key.pem" >"$work/config.json"

valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --log-file="$work/valgrind.log" \
        "$bin" --no-bus --cgroup-root tests/fixtures/host-a \
        --sysfs-root tests/fixtures/host-a-sysfs --include '*' --interval 0.2 \
        --config "$work/config.json" --listen "127.0.0.1:$port" 2>"$work/daemon.log" &
vpid=$!

base=https://127.0.0.1:$port
c() { curl -s -o /dev/null -w '%{http_code}' --max-time 20 --cacert "$work/cert.pem" "$@"; }
auth=(-H "Authorization: Bearer $(cat "$work/token")")
for _ in $(seq 300); do
        [ "$(c "$base/readyz")" = 200 ] && break
        sleep 0.2
done
if [ "$(c "$base/readyz")" != 200 ]; then
        echo "FAIL the daemon did not get ready under valgrind"
        exit 1
fi

requests=0
bad=0
start=$SECONDS
last_hup=$SECONDS
# One curl per round keeps its connection: many requests per TLS handshake.
paths=(/metrics /api/v1/units /api/v1/units/cron.service /api/v1/units/cron.service/series
        /api/v1/alerts /api/v1/units/nope.service /api/v1/units/a%zz
        '/api/v1/units?state=running&name=c*' /nope)
want="200 200 200 200 200 404 400 200 404"
urls=()
for p in "${paths[@]}"; do urls+=("$base$p"); done
while [ $((SECONDS - start)) -lt "$seconds" ]; do
        for _ in 1 2 3 4 5; do
                got=$(curl -s --max-time 30 --cacert "$work/cert.pem" "${auth[@]}" \
                        -w '%{http_code} ' -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
                        -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
                        "${urls[@]}")
                requests=$((requests + ${#urls[@]}))
                [ "${got% }" = "$want" ] || { bad=$((bad + 1)); echo "unexpected: $got"; }
        done
        [ "$(c --compressed "${auth[@]}" "$base/metrics")" = 200 ] || bad=$((bad + 1))
        [ "$(c "$base/metrics")" = 401 ] || bad=$((bad + 1))
        [ "$(c -X POST -H 'Content-Type: application/json' "${auth[@]}" \
                "$base/api/v1/units/cron.service/baseline")" = 404 ] || bad=$((bad + 1))
        requests=$((requests + 3))
        if [ $((SECONDS - last_hup)) -ge 10 ]; then
                kill -HUP "$vpid"
                last_hup=$SECONDS
        fi
done
kill -TERM "$vpid"
set +e
wait "$vpid"
rc=$?
set -e
vpid=
echo "valgrind run: ${seconds}s, $requests requests ($bad unexpected answers), exit $rc"
sed -n '/HEAP SUMMARY/,$p' "$work/valgrind.log" | grep -v '^==[0-9]*== *$' |
        sed 's/^==[0-9]*== */  /'
if [ "$rc" != 0 ] || [ "$bad" != 0 ]; then
        echo "FAIL memcheck (exit $rc) or unexpected answers ($bad); the log:"
        grep -v '^==[0-9]*== *$' "$work/valgrind.log" | head -80
        tail -5 "$work/daemon.log"
        exit 1
fi
echo "PASS no memcheck error, nothing lost"
