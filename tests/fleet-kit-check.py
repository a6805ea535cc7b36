#!/usr/bin/env python3
"""Static checks of the fleet kit: the Grafana dashboard and the Prometheus rules.

  fleet-kit-check.py names FILE...          every metric a PromQL expression names exists
                                            (and every label value it matches literally)
  fleet-kit-check.py dashboard DASHBOARD    the dashboard's structure
  fleet-kit-check.py coverage RULES TESTS   every alert has a case where it fires and one
                                            where it must not
  fleet-kit-check.py exprs DASHBOARD        the dashboard's expressions with the variables
                                            filled in, one JSON object a line, for promtool
                                            and a live Prometheus

The known metrics are those of the golden /metrics file, the names web/render_prom.c
writes (the hardening and bus families need a bus, which the golden file has not) and the
gauges added with the built-in alerts (NEW_METRICS). Problems go to stdout, one a line;
the exit status is 1 when there is any.
"""
import json
import re
import sys

GOLDEN = "tests/fixtures/host-a.golden.prom"
RENDERER = "web/render_prom.c"
# Rendered by the daemon once the built-in alerts exist; not in the golden file yet.
NEW_METRICS = {
    "unitwatch_unit_result": {"unit", "result"},
    "unitwatch_hardening_regressed_checks": {"unit"},
    "unitwatch_alert_active": {"unit", "alertname", "severity"},
}
# Labels Prometheus itself attaches to every scraped series.
TARGET_LABELS = {"instance", "job"}

FUNCTIONS = set("""
abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes
clamp clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year
days_in_month deg delta deriv exp floor histogram_quantile holt_winters hour idelta
increase irate label_join label_replace last_over_time ln log10 log2 max_over_time
min_over_time minute month pi predict_linear present_over_time quantile_over_time rad rate
resets round scalar sgn sin sinh sort sort_desc sqrt stddev_over_time stdvar_over_time
sum_over_time tan tanh time timestamp vector year
""".split())
AGGREGATIONS = set("sum min max avg group stddev stdvar count count_values bottomk topk "
                   "quantile".split())
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"}

# Grafana's built-in interval variables, and what the checks put in their place.
GRAFANA_INTERVALS = {"__rate_interval": "1m", "__interval": "1m", "__range": "1h"}


def tokenize(expr):
    """PromQL tokens as (kind, text): ident, string, number, var, punct."""
    tokens = []
    i = 0
    n = len(expr)
    while i < n:
        c = expr[i]
        if c.isspace():
            i += 1
        elif c == "#":
            while i < n and expr[i] != "\n":
                i += 1
        elif c in "\"'`":
            j = i + 1
            value = []
            while j < n and expr[j] != c:
                if expr[j] == "\\" and c != "`" and j + 1 < n:
                    value.append(expr[j:j + 2])
                    j += 2
                else:
                    value.append(expr[j])
                    j += 1
            if j >= n:
                raise ValueError(f"unterminated string in {expr!r}")
            tokens.append(("string", "".join(value)))
            i = j + 1
        elif c == "$":
            m = re.match(r"\$(\{[^}]*\}|\w+)", expr[i:])
            if not m:
                raise ValueError(f"stray '$' in {expr!r}")
            tokens.append(("var", m.group(0)))
            i += len(m.group(0))
        elif c.isalpha() or c in "_:":
            m = re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", expr[i:])
            tokens.append(("ident", m.group(0)))
            i += len(m.group(0))
        elif c.isdigit() or c == ".":
            m = re.match(r"[0-9.]+(e[+-]?[0-9]+)?[a-zA-Z]*", expr[i:])
            tokens.append(("number", m.group(0)))
            i += len(m.group(0))
        else:
            m = re.match(r"=~|!~|!=|==|>=|<=|[-+*/%^=<>(){}\[\],@]", expr[i:])
            if not m:
                raise ValueError(f"unexpected {c!r} in {expr!r}")
            tokens.append(("punct", m.group(0)))
            i += len(m.group(0))
    return tokens


def selectors(expr):
    """The series selectors of an expression: (metric, [(label, op, value)]).

    Raises ValueError for what cannot be checked: an unknown function, a metric chosen
    by a regular expression on __name__."""
    toks = tokenize(expr)
    out = []
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else (None, None)
        if kind == "punct" and text == "[":
            while i < len(toks) and toks[i] != ("punct", "]"):
                i += 1
            i += 1
            continue
        if kind == "ident" and text in GROUPING:
            if nxt == ("punct", "("):
                while i < len(toks) and toks[i] != ("punct", ")"):
                    i += 1
            i += 1
            continue
        if kind == "ident" and text in KEYWORDS:
            i += 1
            continue
        if kind == "ident" and text in AGGREGATIONS and nxt[1] in ("by", "without"):
            i += 1
            continue
        if kind == "ident" and nxt == ("punct", "("):
            if text not in FUNCTIONS and text not in AGGREGATIONS:
                raise ValueError(f"unknown function {text}()")
            i += 1
            continue
        if (kind == "ident" and nxt != ("punct", "(")) or (kind, text) == ("punct", "{"):
            metric = text if kind == "ident" else None
            matchers = []
            if kind == "ident":
                i += 1
            if i < len(toks) and toks[i] == ("punct", "{"):
                i += 1
                while i < len(toks) and toks[i] != ("punct", "}"):
                    if toks[i] == ("punct", ","):
                        i += 1
                        continue
                    label, op, value = toks[i][1], toks[i + 1][1], toks[i + 2][1]
                    if toks[i + 2][0] != "string":
                        raise ValueError(f"matcher {label}{op} without a string")
                    if label == "__name__":
                        if op != "=":
                            raise ValueError(f"metric chosen by {op} on __name__")
                        metric = value
                    else:
                        matchers.append((label, op, value))
                    i += 3
                i += 1
            if metric is None:
                raise ValueError("selector without a metric name")
            out.append((metric, matchers))
            continue
        i += 1
    return out


def golden_series():
    """(metric -> {label: set(values)}, metrics with samples) from the golden file; the
    names of its TYPE and HELP lines count as metrics too."""
    series = {}
    sampled = set()
    with open(GOLDEN, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"# (?:TYPE|HELP) (\S+)", line)
            if m:
                series.setdefault(m.group(1), {})
                continue
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s", line)
            sampled.add(m.group(1))
            labels = series.setdefault(m.group(1), {})
            for name, value in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""):
                labels.setdefault(name, set()).add(value)
    return series, sampled


def known_metrics():
    """metric -> {label: set(values) or None (values not known)}."""
    known, _ = golden_series()
    with open(RENDERER, encoding="utf-8") as f:
        for name in re.findall(r'"(unitwatch_[a-z0-9_]+)"', f.read()):
            known.setdefault(name, {})
    for name, labels in NEW_METRICS.items():
        known.setdefault(name, {l: None for l in labels})
    return known


def check_expr(expr, known, where, problems):
    try:
        found = selectors(expr)
    except ValueError as e:
        problems.append(f"{where}: {e}")
        return
    for metric, matchers in found:
        if metric not in known:
            problems.append(f"{where}: unknown metric {metric}")
            continue
        labels = known[metric]
        for label, op, value in matchers:
            values = labels.get(label)
            # A literal value of a label the golden file shows for this metric must be one
            # it shows (mode="total" matches nothing: the modes are user and system).
            if op == "=" and values and "$" not in value and value not in values:
                problems.append(f"{where}: {metric}{{{label}=\"{value}\"}} matches nothing; "
                                f"{label} is one of {', '.join(sorted(values))}")


def dashboard_exprs(dash):
    """(where, expr) for every panel target and every query variable."""
    out = []

    def panels(ps):
        for p in ps:
            yield p
            yield from panels(p.get("panels", []))

    for p in panels(dash.get("panels", [])):
        for t in p.get("targets", []):
            if "expr" in t:
                out.append((f"panel '{p.get('title')}' {t.get('refId')}", t["expr"]))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else q
        m = re.fullmatch(r"\s*label_values\((.*),\s*[a-zA-Z_]\w*\s*\)\s*", q or "", re.S)
        if m:
            q = m.group(1)
        out.append((f"variable '{v.get('name')}'", q))
    return out


def rules_exprs(path):
    import yaml

    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    out = []
    for g in doc["groups"]:
        for r in g["rules"]:
            name = r.get("alert") or r.get("record")
            out.append((f"rule {name}", r["expr"]))
            # Queries made by the annotations' templates.
            for key, text in r.get("annotations", {}).items():
                for q in re.findall(r'printf "([^"]*)"', text):
                    out.append((f"rule {name} annotation {key}", q.replace("%s", "x")))
    return out


def cmd_names(paths):
    known = known_metrics()
    problems = []
    for path in paths:
        if path.endswith(".json"):
            with open(path, encoding="utf-8") as f:
                exprs = dashboard_exprs(json.load(f))
        else:
            exprs = rules_exprs(path)
        if not exprs:
            problems.append(f"{path}: no PromQL expression found")
        for where, expr in exprs:
            check_expr(expr, known, f"{path}: {where}", problems)
    return problems


def cmd_dashboard(path):
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)
    problems = []
    if not 36 <= dash.get("schemaVersion", 0) <= 39:
        problems.append(f"schemaVersion {dash.get('schemaVersion')} is not 36-39")
    for key in ("title", "uid"):
        if not dash.get(key):
            problems.append(f"no {key}")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        problems.append("no 'datasource' variable of type datasource for prometheus")
    host = variables.get("host", {}).get("query")
    host = host.get("query") if isinstance(host, dict) else host
    if host != "label_values(unitwatch_build_info, instance)":
        problems.append(f"variable 'host' is {host!r}, not label_values(unitwatch_build_info,"
                        " instance)")
    if "unit" not in variables:
        problems.append("no variable 'unit'")

    ids = set()
    cells = {}
    for p in dash.get("panels", []):
        title = p.get("title")
        if p.get("id") in ids:
            problems.append(f"panel '{title}': id {p.get('id')} used twice")
        ids.add(p.get("id"))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "xywh") or g["x"] + g["w"] > 24:
            problems.append(f"panel '{title}': bad gridPos {g}")
            continue
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                if (x, y) in cells:
                    problems.append(f"panel '{title}' overlaps '{cells[(x, y)]}'")
                    break
                cells[(x, y)] = title
            else:
                continue
            break
        if p.get("type") == "row":
            continue
        if p.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"panel '{title}': datasource is not ${{datasource}}")
        targets = p.get("targets", [])
        if not targets:
            problems.append(f"panel '{title}': no query")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs):
            problems.append(f"panel '{title}': refIds {refs} repeat")
        for t in targets:
            if t.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"panel '{title}' {t.get('refId')}: datasource is not "
                                "${datasource}")
            try:
                found = selectors(t.get("expr", ""))
            except ValueError as e:
                problems.append(f"panel '{title}' {t.get('refId')}: {e}")
                continue
            if not found:
                problems.append(f"panel '{title}' {t.get('refId')}: no metric")
            # On a fleet a selector that ignores $host mixes every host into the panel.
            for metric, matchers in found:
                if ("instance", "=~", "$host") not in matchers:
                    problems.append(f"panel '{title}' {t.get('refId')}: {metric} is not "
                                    "filtered by instance=~\"$host\"")
    return problems


def cmd_coverage(rules_path, tests_path):
    import yaml

    with open(rules_path, encoding="utf-8") as f:
        alerts = [r["alert"] for g in yaml.safe_load(f)["groups"] for r in g["rules"]
                  if "alert" in r]
    with open(tests_path, encoding="utf-8") as f:
        tests = yaml.safe_load(f)["tests"]
    fires, quiet = set(), set()
    for t in tests:
        for case in t.get("alert_rule_test", []):
            (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
    problems = []
    for a in alerts:
        if a not in fires:
            problems.append(f"{a}: no test case where it fires")
        if a not in quiet:
            problems.append(f"{a}: no test case where it must stay silent (exp_alerts: [])")
    return problems


def cmd_exprs(path):
    """Dashboard expressions with the variables filled in: every host, every unit."""
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)
    _, sampled = golden_series()
    for where, expr in dashboard_exprs(dash):
        if not where.startswith("panel"):
            continue
        filled = expr.replace('"$host"', '".*"').replace('"$unit"', '".*"')
        for var, value in GRAFANA_INTERVALS.items():
            filled = filled.replace("$" + var, value)
        # On the fixture (no bus) a query returns data when all its metrics have samples
        # there and it does not filter by a comparison with a number.
        metrics = {m for m, _ in selectors(expr)}
        has_samples = metrics <= sampled
        filters = re.search(r"(==|!=|>=|<=|>|<)\s*[0-9]", expr) and "or vector(" not in expr
        print(json.dumps({"where": where, "expr": filled,
                          "expect_data": bool(has_samples and not filters)}))
    return []


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "names":
        problems = cmd_names(args)
    elif cmd == "dashboard":
        problems = cmd_dashboard(args[0])
    elif cmd == "coverage":
        problems = cmd_coverage(args[0], args[1])
    elif cmd == "exprs":
        problems = cmd_exprs(args[0])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
