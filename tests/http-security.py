#!/usr/bin/env python3
"""The HTTP surface of the daemon under hostile or careless clients, on loopback.

The refusal of a non-loopback address without a token or TLS; the bearer token (read from a
file, never argv) on reads and on the baseline POST; the POST's JSON-only rule and body
limit; TLS with a certificate made here, replaced on SIGHUP, and a broken one refused on
SIGHUP; the method allow-list; the header size limit; the request timeout against idle and
trickling clients (slow-loris), which must not stop a normal scrape; the per-client limit
(applied to loopback only when asked) and the connection limit.
Usage: tests/http-security.py BUILD/unitwatchd (make check also runs it on the ASan+UBSan
build, whose leak check at exit turns into a non-zero exit status)
"""
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/unitwatchd"
FIXTURE = ["--no-bus", "--cgroup-root", "tests/fixtures/host-a",
           "--sysfs-root", "tests/fixtures/host-a-sysfs", "--interval", "0.5"]
PORT = 19930
passed = failed = 0
work = tempfile.mkdtemp(prefix="unitwatch-httpsec.")
procs = []


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def write(name, text, mode=0o600):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def start(args, port, log="daemon.log"):
    logf = open(os.path.join(work, log), "w")
    p = subprocess.Popen([BIN] + FIXTURE + ["--listen", "127.0.0.1:%d" % port] + args,
                         stderr=logf)
    procs.append(p)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(0.3)  # the first snapshot
            return p
        except OSError:
            time.sleep(0.1)
    return p


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        return None


def request(url, method="GET", headers=None, data=None, context=None):
    """Returns (status, headers, body); status 0 when the connection failed."""
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=5, context=context) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()
    except (OSError, ssl.SSLError) as e:
        return 0, {}, str(e)


def raw(port, data, wait=2.0):
    """Sends raw bytes on a new connection; returns what came back until EOF or wait."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    except OSError:
        return out
    finally:
        s.close()


def closed_by_peer(s, wait):
    """True when the peer closes s (EOF or reset) within wait seconds."""
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except OSError:
        return False


def log_has(text, log="daemon.log"):
    with open(os.path.join(work, log)) as f:
        return text in f.read()


def run(args):
    return subprocess.run([BIN] + FIXTURE + args, capture_output=True, text=True, timeout=20)


def main():
    token = "t0k3n-" + os.urandom(16).hex()
    tok = write("token", token + "\n", 0o640)
    auth = {"Authorization": "Bearer " + token}

    # A non-loopback address without token or TLS: refused with the reason, exit 2.
    r = run(["--listen", "0.0.0.0:%d" % PORT])
    check("non-loopback without token or TLS exits 2", r.returncode == 2, r.returncode)
    check("... and says why and what to set", "not a loopback address" in r.stderr
          and "allow_insecure_remote" in r.stderr, r.stderr)
    cfg = write("insecure.json", '{"listen": ["0.0.0.0:%d"], "http": {"allow_insecure_remote": '
                'true}}' % PORT)
    r = subprocess.run([BIN, "--config", cfg, "--check-config"], capture_output=True)
    check("allow_insecure_remote: true accepts it", r.returncode == 0, r.stderr)
    r = subprocess.run([BIN, "--listen", "0.0.0.0:%d" % PORT, "--token-file", tok,
                        "--check-config"], capture_output=True)
    check("a token makes a non-loopback address acceptable", r.returncode == 0, r.stderr)
    short = write("short", "abc\n")
    r = run(["--token-file", short, "--check-config"])
    check("a short token is refused with its length", r.returncode == 2
          and "fewer than 16" in r.stderr, r.stderr)
    r = run(["--token-file", os.path.join(work, "nope"), "--check-config"])
    check("a missing token file is refused", r.returncode == 2
          and "cannot read the token file" in r.stderr, r.stderr)
    r = run(["--token", token])
    check("no flag takes the token itself", r.returncode == 2, r.returncode)

    # The token.
    p = start(["--token-file", tok], PORT)
    base = "http://127.0.0.1:%d" % PORT
    st, hdrs, _ = request(base + "/metrics")
    check("no token: 401", st == 401, st)
    check("... with WWW-Authenticate: Bearer", "Bearer" in str(hdrs.get("WWW-Authenticate")))
    st, _, _ = request(base + "/api/v1/units", headers={"Authorization": "Bearer " + "x" * 38})
    check("a wrong token: 401", st == 401, st)
    st, _, body = request(base + "/api/v1/units", headers=auth)
    check("the right token: 200", st == 200 and '"units"' in body, st)
    st, _, _ = request(base + "/healthz")
    check("/healthz needs no token", st == 200, st)
    post = base + "/api/v1/units/cron.service/baseline"
    json_type = {"Content-Type": "application/json"}
    st, _, _ = request(post, "POST", json_type, b"{}")
    check("baseline POST without the token: 401", st == 401, st)
    st, _, _ = request(post, "POST", dict(auth, **{"Content-Type":
                                                   "application/x-www-form-urlencoded"}), b"a=b")
    check("baseline POST as a form: 415", st == 415, st)
    st, _, _ = request(post, "POST", dict(auth, **{"Content-Type": "text/plain"}), b"{}")
    check("baseline POST as text/plain (no-CORS-preflight type): 415", st == 415, st)
    st, _, body = request(post, "POST", dict(auth, **json_type), b"{}")
    check("baseline POST with token and JSON reaches the handler (404: no scores without "
          "the bus)", st == 404 and "no hardening scores" in body, (st, body))
    st, _, _ = request(post, "POST", dict(auth, **json_type), b"x" * 10000)
    check("a body over max_body_bytes: 413", st == 413, st)
    check("argv holds no token", token not in open("/proc/%d/cmdline" % p.pid).read())
    check("stops cleanly (exit 0; under ASan: no leak)", stop(p) == 0)

    # Limits, from the config file.
    cfg = write("limits.json", '{"http": {"methods": ["GET"], "request_timeout": 2, '
                '"idle_timeout": 30, "max_header_bytes": 8192, "per_client_limit": 4, '
                '"per_client_loopback": true}}')
    p = start(["--config", cfg], PORT + 1)
    base = "http://127.0.0.1:%d" % (PORT + 1)
    st, hdrs, _ = request(base + "/metrics", "HEAD")
    check("a method off the allow-list: 405", st == 405, st)
    check("... with Allow: GET", hdrs.get("Allow") == "GET", hdrs.get("Allow"))
    st, _, _ = request(base + "/api/v1/units/x/baseline", "POST", {"Content-Type":
                                                                  "application/json"}, b"{}")
    check("POST off the allow-list: 405", st == 405, st)
    out = raw(PORT + 1, b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 +
              b"\r\n\r\n")
    check("a request head over max_header_bytes is refused (431)", out.startswith(b"HTTP/1.1 431"),
          out[:40])
    # Slow clients: one sends nothing, one trickles a header byte every 0.5 s (well within the
    # 30 s idle timeout). Both are cut at the 2 s request timeout; a scrape meanwhile works.
    idle = socket.create_connection(("127.0.0.1", PORT + 1))
    trickle = socket.create_connection(("127.0.0.1", PORT + 1))
    trickle.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    t0 = time.monotonic()
    st, _, _ = request(base + "/metrics")
    check("a scrape is served while slow clients hang on", st == 200, st)
    cut = False
    while time.monotonic() - t0 < 6:
        try:
            trickle.sendall(b"X")
        except OSError:
            cut = True
            break
        if closed_by_peer(trickle, 0.5):
            cut = True
            break
    took = time.monotonic() - t0
    check("a trickling client is cut at the request timeout", cut and took < 4.5, took)
    check("an idle client is cut too", closed_by_peer(idle, 3))
    idle.close()
    trickle.close()
    # Per-client limit, on loopback because per_client_loopback is set: 4 held, the 5th refused.
    # First the server lets go of the slow clients above (its side closes a moment later).
    time.sleep(1.0)
    held = [socket.create_connection(("127.0.0.1", PORT + 1)) for _ in range(4)]
    time.sleep(0.2)
    check("4 connections up to per_client_limit are kept",
          not any(closed_by_peer(h, 0.05) for h in held))
    fifth = socket.create_connection(("127.0.0.1", PORT + 1))
    check("the connection over per_client_limit is closed at once", closed_by_peer(fifth, 2))
    fifth.close()
    check("... and logged with the client and the key", log_has("refusing a connection from "
                                                                "127.0.0.1"))
    for s in held:
        s.close()
    time.sleep(0.3)
    st, _, _ = request(base + "/metrics")
    check("once they are closed the client is served again", st == 200, st)
    check("stops cleanly (exit 0; under ASan: no leak)", stop(p) == 0)

    # Loopback is exempt from the per-client limit by default; connection_limit holds anyway.
    cfg = write("conn.json", '{"http": {"per_client_limit": 2, "connection_limit": 6}}')
    p = start(["--config", cfg], PORT + 2)
    base = "http://127.0.0.1:%d" % (PORT + 2)
    held = [socket.create_connection(("127.0.0.1", PORT + 2)) for _ in range(5)]
    time.sleep(0.2)
    st, _, _ = request(base + "/metrics")
    check("loopback is not held to per_client_limit by default", st == 200, st)
    held.append(socket.create_connection(("127.0.0.1", PORT + 2)))
    time.sleep(0.2)
    # At the limit libmicrohttpd stops accepting: the next client waits in the backlog.
    extra = socket.create_connection(("127.0.0.1", PORT + 2))
    extra.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
    extra.settimeout(1)
    try:
        early = extra.recv(100)
    except socket.timeout:
        early = b""
    check("a connection over connection_limit is not served", early == b"", early)
    check("... and a full server is logged as a warning", log_has("connection_limit) are in use"))
    held[0].close()
    extra.settimeout(3)
    try:
        late = extra.recv(100)
    except OSError:
        late = b""
    check("... it is served once a connection closes", late.startswith(b"HTTP/1.1 200"), late)
    extra.close()
    for s in held[1:]:
        s.close()
    check("stops cleanly (exit 0; under ASan: no leak)", stop(p) == 0)

    # TLS, and its certificate replaced on SIGHUP.
    if not shutil.which("openssl"):
        print("SKIP TLS: no openssl to make a certificate")
    else:
        for n in ("a", "b"):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", os.path.join(work, n + ".key"),
                            "-out", os.path.join(work, n + ".crt"), "-days", "2",
                            "-subj", "/CN=unitwatch-test-" + n,
                            "-addext", "subjectAltName=IP:127.0.0.1"],
                           check=True, capture_output=True)
        crt, key = os.path.join(work, "live.crt"), os.path.join(work, "live.key")
        shutil.copy(os.path.join(work, "a.crt"), crt)
        shutil.copy(os.path.join(work, "a.key"), key)
        p = start(["--tls-cert", crt, "--tls-key", key, "--token-file", tok], PORT + 3)
        url = "https://127.0.0.1:%d/api/v1/units" % (PORT + 3)

        def ctx(n):
            return ssl.create_default_context(cafile=os.path.join(work, n + ".crt"))

        st, _, _ = request(url, headers=auth, context=ctx("a"))
        check("TLS: served with the certificate given", st == 200, st)
        st, _, _ = request("http://127.0.0.1:%d/metrics" % (PORT + 3))
        check("TLS: plain HTTP gets no answer", st == 0, st)
        shutil.copy(os.path.join(work, "b.crt"), crt)
        shutil.copy(os.path.join(work, "b.key"), key)
        p.send_signal(signal.SIGHUP)
        time.sleep(2)
        st, _, _ = request(url, headers=auth, context=ctx("b"))
        check("TLS: SIGHUP serves the new certificate", st == 200, st)
        st, _, _ = request(url, headers=auth, context=ctx("a"))
        check("TLS: ... and no longer the old one", st == 0, st)
        # A key that does not belong to the certificate: refused, the running one stays.
        shutil.copy(os.path.join(work, "a.key"), key)
        p.send_signal(signal.SIGHUP)
        time.sleep(2)
        st, _, _ = request(url, headers=auth, context=ctx("b"))
        check("TLS: a mismatched key on SIGHUP keeps the running certificate", st == 200, st)
        check("TLS: ... and says why", log_has("SIGHUP: the new configuration is invalid")
              and log_has("do not match"))
        check("TLS: still stops cleanly", stop(p) == 0)
        r = run(["--tls-cert", crt, "--tls-key", key, "--check-config"])
        check("TLS: --check-config refuses a key of another certificate", r.returncode == 2
              and "do not match" in r.stderr, r.stderr)


try:
    main()
finally:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
    shutil.rmtree(work, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
