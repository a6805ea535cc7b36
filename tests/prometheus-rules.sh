#!/usr/bin/env bash
# The fleet kit: the Prometheus rules pass promtool's syntax check and their unit tests (a
# case that fires and one that must not for every alert); the Grafana dashboard is valid JSON
# of a sound structure and names only metrics unitwatchd renders, with label values that
# exist. With the daemon as argument, a real Prometheus scrapes it on the host-a fixture with
# the rules loaded: every rule evaluates without error and the dashboard's queries run, the
# ones over metrics the fixture has returning data.
# Usage: tests/prometheus-rules.sh [BUILD/unitwatchd]
set -euo pipefail

bin=${1:+$(readlink -f "$1")}
top=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/..
cd "$top"
rules=packaging/prometheus-rules.yml
rules_test=packaging/prometheus-rules.test.yml
dashboard=packaging/grafana-dashboard.json
kit="python3 tests/fleet-kit-check.py"
uw_port=19910
prom_port=19911
work=$(mktemp -d /tmp/unitwatch-rules.XXXXXX)
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        wait 2>/dev/null || true
        rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0

check() { # check NAME COMMAND...: one verdict line per check
        local name=$1 out
        shift
        if out=$("$@" 2>&1); then
                echo "PASS $name"
                passed=$((passed + 1))
        else
                echo "FAIL $name:"
                echo "$out"
                failed=$((failed + 1))
        fi
}

check "promtool check rules $rules" promtool check rules "$rules"
check "promtool test rules $rules_test" promtool test rules "$rules_test"
check "every alert has a test case where it fires and one where it must not" \
        $kit coverage "$rules" "$rules_test"
check "$dashboard is valid JSON" python3 -m json.tool "$dashboard" /dev/null
check "the dashboard's variables, panels, datasources and host filters" $kit dashboard "$dashboard"
check "the dashboard and the rules name only metrics and label values unitwatchd renders" \
        $kit names "$dashboard" "$rules"

# The name check must be able to say no: a misspelt metric, a label value that does not
# exist (cpu modes are user and system, there is no total), a metric that is not ours.
rejects() { # rejects SED-EXPRESSION: the name check fails on the dashboard edited so
        sed "$1" "$dashboard" >"$work/edited.json"
        cmp -s "$dashboard" "$work/edited.json" && { echo "the edit '$1' changed nothing"; return 1; }
        ! $kit names "$work/edited.json"
}
check "the name check rejects a misspelt metric" \
        rejects 's/unitwatch_cpu_usage_seconds_total/unitwatch_cpu_seconds_total/'
check "the name check rejects mode=\"total\"" \
        rejects 's/unitwatch_cpu_usage_seconds_total{/unitwatch_cpu_usage_seconds_total{mode=\\"total\\", /'
check "the name check rejects a metric from elsewhere" \
        rejects 's/count(unitwatch_build_info{/count(up{/'

# promtool parses every dashboard query (with the variables filled in) as a recording rule.
parses() {
        $kit exprs "$dashboard" >"$work/exprs.jsonl"
        python3 - "$work/exprs.jsonl" >"$work/dashboard-rules.yml" <<'PY'
import json, sys
print("groups:\n  - name: dashboard\n    rules:")
for i, line in enumerate(open(sys.argv[1])):
    q = json.loads(line)
    print(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(q['expr'])}")
PY
        promtool check rules "$work/dashboard-rules.yml"
}
check "promtool parses every query of the dashboard" parses

# The daemon and Prometheus start here, in this shell, not inside check's $(...): a
# background process there would keep the substitution's output open.
start_live() {
        "$bin" --no-bus --cgroup-root tests/fixtures/host-a --sysfs-root tests/fixtures/host-a-sysfs \
                --types service,scope,slice --listen 127.0.0.1:$uw_port --interval 1 \
                --log-level warning >"$work/unitwatchd.log" 2>&1 &
        pids+=($!)
        cp "$rules" "$work/rules.yml"
        cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - rules.yml
scrape_configs:
  - job_name: unitwatch
    static_configs:
      - targets: ['127.0.0.1:$uw_port']
YAML
        prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
                --web.listen-address=127.0.0.1:$prom_port --log.level=warn \
                >"$work/prometheus.log" 2>&1 &
        pids+=($!)
}

live() {
        $kit exprs "$dashboard" >"$work/exprs.jsonl"
        python3 - "$work/exprs.jsonl" "http://127.0.0.1:$prom_port" <<'PY' || { tail -n 5 "$work/prometheus.log" "$work/unitwatchd.log"; return 1; }
import json, sys, time, urllib.parse, urllib.request

base = sys.argv[2]

def get(path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)["data"]

# Ready when Prometheus has scraped a few times and evaluated the rules since.
deadline = time.time() + 60
while True:
    try:
        up = get("/api/v1/query", query='count_over_time(up{job="unitwatch"}[1m])')["result"]
        groups = get("/api/v1/rules")["groups"]
        if up and float(up[0]["value"][1]) >= 4 and groups and \
                all(g.get("lastEvaluation", "").startswith("20") for g in groups):
            break
    except OSError:
        pass
    if time.time() > deadline:
        sys.exit("Prometheus did not scrape the daemon and evaluate the rules in 60 s")
    time.sleep(0.5)

problems = []
rules = [r for g in get("/api/v1/rules")["groups"] for r in g["rules"]]
if len(rules) != 10:  # the daemon's ten built-in alerts
    problems.append(f"{len(rules)} rules loaded, not 10")
for r in rules:
    if r.get("health") != "ok":
        problems.append(f"rule {r['name']}: {r.get('health')} {r.get('lastError', '')}")
with_data = 0
for line in open(sys.argv[1]):
    q = json.loads(line)
    try:
        result = get("/api/v1/query", query=q["expr"])["result"]
    except OSError as e:
        problems.append(f"{q['where']}: {e}")
        continue
    if q["expect_data"]:
        if not result:
            problems.append(f"{q['where']}: no data on the fixture: {q['expr']}")
        with_data += 1
for p in problems:
    print(p)
print(f"{len(rules)} rules healthy, {with_data} dashboard queries with data")
sys.exit(1 if problems else 0)
PY
}
if [ -n "$bin" ]; then
        start_live
        check "a real Prometheus evaluates the rules and runs the dashboard's queries on host-a" live
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
