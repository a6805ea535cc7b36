#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus package) scrapes unitwatchd on loopback: the daemon
# runs on the host-a fixture without a bus, Prometheus scrapes it every second (asking for
# gzip, as it always does), and its query API must return the series with the right values.
set -euo pipefail
bin=${1:-build/unitwatchd}
work=$(mktemp -d /tmp/unitwatch-prom.XXXXXX)
uw_port=19900
prom_port=19901
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        wait 2>/dev/null || true
        rm -rf "$work"
}
trap cleanup EXIT

"$bin" --no-bus --cgroup-root tests/fixtures/host-a --sysfs-root tests/fixtures/host-a-sysfs \
        --listen 127.0.0.1:$uw_port --interval 1 --log-level warning &
pids+=($!)

cat > "$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: unitwatch
    static_configs:
      - targets: ['127.0.0.1:$uw_port']
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
        --web.listen-address=127.0.0.1:$prom_port --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)

query() {
        curl -sf --get "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
                python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'
}

check() {
        local what=$1 want=$2 got=""
        for _ in $(seq 60); do
                got=$(query "$what" 2>/dev/null || true)
                [ "$got" = "$want" ] && break
                sleep 1
        done
        if [ "$got" = "$want" ]; then
                echo "PASS prometheus: $what = $want"
                passed=$((passed + 1))
        else
                echo "FAIL prometheus: $what = '$got', want '$want'"
                failed=$((failed + 1))
        fi
}

passed=0
failed=0
check 'up{job="unitwatch"}' 1
check 'unitwatch_memory_current_bytes{unit="nginx.service"}' 209715200
check 'unitwatch_memory_max_bytes{unit="nginx.service"}' 536870912
check 'count(unitwatch_memory_max_bytes{unit="sshd.service"})' ''
check 'unitwatch_io_read_bytes_total{unit="nginx.service",device="nvme0n1"}' 1449984
check 'unitwatch_memory_current_bytes{unit="foo\\x2dbar.service"}' 65536
check 'unitwatch_memory_current_bytes{unit="quote\"and<angle>.service"}' 65536
check 'unitwatch_units' 12
check 'count(unitwatch_unit_state)' ''
check 'scrape_samples_scraped{job="unitwatch"}' "$(curl -s http://127.0.0.1:$uw_port/metrics | grep -vc '^#')"
if [ "$failed" -gt 0 ]; then
        echo "--- prometheus log"
        tail -20 "$work/prometheus.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
