"""The consumer page under load, through the demo lots' GS1 Digital Link URLs (issue #4).

Setup in a temporary directory: a fresh SQLite database with the demo, every demo event anchored
on a local anvil (stopped at the end) and both lots "verified". Then ``tracechain serve`` (gunicorn,
2 workers; ``TRACE_ACCESS_LOG`` empty unless --serve) beside Flask's development server,
under wrk (16 connections, 2 threads, warm-up then measured run): the pepper and coffee pages and
the pepper JSON summary. Any answer outside 2xx, or socket error, is an error (exit 1); a missed
target prints MISSED. benchmarks/README.md says more.

    .venv/bin/python benchmarks/bench_consumer.py [--duration 10] [--warmup 10] [--quick]
    .venv/bin/python benchmarks/bench_consumer.py --page-path / --json-path /healthz  # harness
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import _common as c

from tracechain.anchor import anvil
from tracechain.anchor.errors import LocalChainError

BIN = Path(sys.executable).parent
LOTS = {"pepper": "/01/08936101000217/10/QT25-G550-01", "coffee": "/01/08936104000412/10/BMT25-R01"}
PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "vi"}  # a browser's
TARGET_PAGE_RPS, TARGET_PAGE_P99_MS, TARGET_JSON_RPS = 2_000, 15.0, 3_000
TARGET_PAGE_BYTES = 100_000  # first load: the HTML and everything it references

# Counts the answers outside 2xx over all threads and prints one line for us to parse.
WRK_LUA = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; first = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1; first = first > 0 and first or status end
end
function done(s, latency, requests)
  local bad, first, e = 0, 0, s.errors
  for _, t in ipairs(threads) do bad = bad + t:get("bad"); first = math.max(first, t:get("first"))
  end
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d " ..
    "first_non2xx=%d connect=%d read=%d write=%d timeout=%d\\n", s.requests, s.duration,
    latency:percentile(50), latency:percentile(99), bad, first, e.connect, e.read, e.write,
    e.timeout))
end
"""



def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def tracechain(env: dict, *args: str) -> str:
    proc = subprocess.run([str(BIN / "tracechain"), *args], env=env, capture_output=True,
                          text=True, cwd=env["TRACE_VAR_DIR"], timeout=300)
    if proc.returncode:
        raise c.BenchError(f"`tracechain {' '.join(args)}` exited {proc.returncode}:\n"
                         f"{(proc.stdout + proc.stderr)[-3000:]}")
    return proc.stdout


class Server:
    """A server in its own session on 127.0.0.1:``port``, up once ``/healthz`` answers 200."""

    def __init__(self, name: str, argv: list[str], env: dict, port: int, workdir: Path):
        self.name, self.port, self.log_path = name, port, workdir / f"server-{port}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(argv, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            with contextlib.suppress(OSError, http.client.HTTPException):
                if get(port, "/healthz")[0] == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise c.BenchError(f"{name} did not answer /healthz within 60 s:\n{self.tail()}")

    def cpu(self) -> float:
        return c.tree_cpu_seconds(self.proc.pid)

    def tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-15:])

    def stop(self) -> None:
        c.stop_server(self.proc)
        self.log.close()


def prepare(env: dict) -> str:
    """Migrate, load the demo, anchor it (anvil started, contract deployed); the admin token."""
    tracechain(env, "db", "upgrade")
    token = re.search(r"^\s*admin \(.*\): (\S+)$", tracechain(env, "demo"), re.M)
    if not token:
        raise c.BenchError("`tracechain demo` printed no admin token")
    anchored = tracechain(env, "anchor").strip().splitlines()[-1]
    print(f"  demo loaded; {anchored} on anvil at 127.0.0.1:{env['TRACE_LOCAL_CHAIN_PORT']}")
    return token.group(1)


def check_verified(port: int, token: str) -> None:
    for path in LOTS.values():
        _, _, gtin, _, lot = path.split("/")
        status, _, body = get(port, f"/api/v1/verify/lot/{gtin}/{lot}?fresh=true",
                              {"Authorization": f"Bearer {token}"})
        answer = json.loads(body) if status == 200 else {}
        if answer.get("status") != "verified":
            raise c.BenchError(f"lot {lot} is not verified on chain: HTTP {status} {body[:300]!r}")
        print(f"  {lot}: verified on chain ({answer.get('reason')})")


def preflight(server: Server, path: str, headers: dict, kind: str, strict: bool) -> None:
    """One plain request: 200, and (on the lots' URLs) the right type, naming the lot."""
    status, head, body = get(server.port, path, headers)
    ctype, lot = head.get("content-type", ""), path.rsplit("/", 1)[1].encode()
    if status != 200:
        raise c.BenchError(f"{server.name}: GET {path} answered {status}: {body[:200]!r}")
    if strict and ("text/html" if kind == "page" else "json") not in ctype:
        raise c.BenchError(f"{server.name}: GET {path} for the {kind} answered {ctype!r}")
    if strict and lot not in body:
        raise c.BenchError(f"{server.name}: GET {path} does not name its lot")


def wrk(server: Server, path: str, headers: dict, seconds: int, args, lua: Path) -> dict:
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency",
            "-s", str(lua), *(x for k, v in headers.items() for x in ("-H", f"{k}: {v}")),
            f"http://127.0.0.1:{server.port}{path}"]
    cpu0, wrk0 = server.cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    wrk1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"^RESULT (.*)$", out.stdout, re.M)
    if out.returncode or not found:
        raise c.BenchError(f"wrk failed (exit {out.returncode}):\n{out.stdout}{out.stderr}")
    r = {k: int(v) for k, v in (kv.split("=") for kv in found.group(1).split())}
    if r["non2xx"]:
        raise c.BenchError(f"{server.name}: {r['non2xx']} of {r['requests']} answers to {path} "
                         f"were not 2xx (the first: {r['first_non2xx']})")
    if errors := {k: r[k] for k in ("connect", "read", "write", "timeout") if r[k]}:
        raise c.BenchError(f"{server.name}: socket errors under load on {path}: {errors}")
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["cpu_ms"] = 1000 * (server.cpu() - cpu0) / max(1, r["requests"])
    r["wrk_cores"] = (wrk1.ru_utime + wrk1.ru_stime - wrk0.ru_utime - wrk0.ru_stime) / (
        r["duration_us"] / 1e6)
    return r


TAG = re.compile(r"<(link|script|img|source|video|audio|iframe|embed)\b([^>]*)>", re.I)
ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}


def references(text: str, html: bool) -> list[str]:
    """What a browser fetches on first load: the stylesheets, scripts, images, icons and media
    of an HTML page, and the url()s and @imports of styles (inline or in a stylesheet)."""
    found = [a or b for a, b in CSS_URL.findall(text)]
    for tag, attrs in TAG.findall(text) if html else ():
        a = {k.lower(): x or y or z for k, x, y, z in ATTR.findall(attrs)}
        if tag.lower() != "link":
            found += [a[k] for k in ("src", "poster") if a.get(k)]
        elif RELS & set(a.get("rel", "").lower().split()):
            found.append(a.get("href", ""))
    return [u for u in found if u]


def page_weight(port: int, path: str) -> tuple[int, dict[str, int], list[str]]:
    """Bytes transferred (gzip accepted) for the page and what it references, by URL; and the
    references to other hosts, which are not fetched."""
    origin, sizes, external = f"127.0.0.1:{port}", {}, []
    todo = [(f"http://{origin}{path}", PAGE)]
    while todo:
        url, headers = todo.pop(0)
        parts = urllib.parse.urlsplit(url)
        ref = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.scheme == "data" or ref in sizes:
            continue
        if parts.netloc != origin:
            external.append(url)
            continue
        status, head, body = get(port, ref, {**headers, "Accept-Encoding": "gzip"})
        if status != 200:
            raise c.BenchError(f"the page at {path} references {ref}, which answers {status}")
        sizes[ref] = len(body)
        ctype = head.get("content-type", "")
        if ctype.startswith(("text/html", "text/css")):
            text = gzip.decompress(body) if head.get("content-encoding") == "gzip" else body
            found = references(text.decode("utf-8", "replace"), ctype.startswith("text/html"))
            todo += [(urllib.parse.urljoin(url, u), {}) for u in found]
    return sum(sizes.values()), sizes, external


def report(args, targets, names, results, weights, strict: bool) -> None:
    print(f"  wrk: {args.connections} connections, {args.threads} threads, {args.warmup} s "
          f"warm-up then {args.duration} s measured; every answer 2xx, no socket errors")
    cols = f"{'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>11}     "
    print(f"  {'':<18}" + "".join(f"{n[:40]:<42}" for n in names) + "serve/dev")
    print(f"  {'':<18}{cols}{cols}".rstrip())
    for label, *_ in targets:
        row = [results[label, n] for n in names]
        print(f"  {label:<18}" + "".join(
            f"{r['rps']:>8,.0f} {r['p50_us'] / 1000:>7.1f} {r['p99_us'] / 1000:>7.1f} "
            f"{r['cpu_ms']:>11.2f}     " for r in row) + f"{row[0]['rps'] / row[1]['rps']:>7.1f}x")
    cores, ours = os.cpu_count(), [results[label, names[0]] for label, *_ in targets]
    print(f"  wrk itself used {min(r['wrk_cores'] for r in ours):.2f}-"
          f"{max(r['wrk_cores'] for r in ours):.2f} of the {cores} cores; the rest, fully busy, "
          f"would give {names[0].split(',')[0]} at most " + ", ".join(
              f"{1000 * (cores - r['wrk_cores']) / r['cpu_ms']:,.0f}" for r in ours)
          + " requests/s (same rows): its CPU-bound ceiling")
    for label, (total, sizes, external) in weights.items():
        print(f"  {label} first load: {total:,} bytes: "
              + ", ".join(f"{ref} {n:,}" for ref, n in sizes.items())
              + (f"; NOT counted, other hosts: {', '.join(external)}" if external else ""))
    pages = [results[label, names[0]] for label, *_, kind in targets if kind == "page"]
    page_rps, page_p99 = min(r["rps"] for r in pages), max(r["p99_us"] for r in pages) / 1000
    json_rps = results[targets[-1][0], names[0]]["rps"]
    heaviest = max(w[0] for w in weights.values())
    note = "" if strict else (f" [harness check on {args.page_path or 'the pages'} and "
                              f"{args.json_path or 'the JSON'}, not the consumer page]")
    for ok, what in (
            (page_rps >= TARGET_PAGE_RPS,
             f"page {page_rps:,.0f} requests/s, the slower lot (target >= {TARGET_PAGE_RPS:,})"),
            (page_p99 <= TARGET_PAGE_P99_MS,
             f"page p99 {page_p99:.1f} ms, the slower lot (target <= {TARGET_PAGE_P99_MS:.0f} ms)"),
            (json_rps >= TARGET_JSON_RPS,
             f"JSON summary {json_rps:,.0f} requests/s (target >= {TARGET_JSON_RPS:,})"),
            (heaviest < TARGET_PAGE_BYTES and not any(w[2] for w in weights.values()),
             f"page first load {heaviest:,} bytes, the heavier lot (target < "
             f"{TARGET_PAGE_BYTES:,}, nothing from other hosts)")):
        print(c.verdict(ok, what + note))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds measured (10)")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of warm-up (10)")
    parser.add_argument("--quick", action="store_true",
                        help="2 s warm-up, 3 s measured (also BENCH_QUICK=1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--serve", action="store_true",
                        help="keep serve's access log on (into a file), to see what it costs")
    parser.add_argument("--page-path", help="load this path instead of the lots' pages")
    parser.add_argument("--json-path", help="load this path instead of the JSON summary")
    args = parser.parse_args()
    if args.quick or os.environ.get("BENCH_QUICK") == "1":
        args.warmup, args.duration = 2, 3
    print(f"bench_consumer: the consumer page under wrk (machine: {os.cpu_count()} cores, load "
          f"average {', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    try:
        anvil.find_anvil(os.environ.get("TRACE_ANVIL_BIN"))
        if not shutil.which("wrk"):
            raise LocalChainError("wrk is not installed (apt-get install wrk; `make bench` "
                                  "does it as root)")
    except LocalChainError as exc:
        if os.environ.get("CI") == "true":
            raise c.BenchError(f"needed under CI=true: {exc}") from None
        print(f"SKIPPED: {exc}")
        return 0
    targets = [("page pepper (vi)", args.page_path or LOTS["pepper"], PAGE, "page"),
               ("page coffee (vi)", args.page_path or LOTS["coffee"], PAGE, "page"),
               ("JSON pepper", args.json_path or LOTS["pepper"],
                {"Accept": "application/json"}, "json")]
    strict = not (args.page_path or args.json_path)
    results: dict[tuple[str, str], dict] = {}
    weights: dict[str, tuple] = {}
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="tracechain-bench-consumer-") as tmp:
        work, ports = Path(tmp), set()
        while len(ports) < 3:
            ports.add(c.free_port())
        gport, dport, chain_port = sorted(ports)
        env = {**os.environ, "TRACE_VAR_DIR": tmp, "TRACE_DATABASE_URL":
               f"sqlite:///{work / 'consumer.db'}", "TRACE_LOCAL_CHAIN_PORT": str(chain_port),
               "TRACE_ANCHOR_IN_BACKGROUND": "0", "TRACE_DELIVER_IN_BACKGROUND": "0",
               "TRACE_SECRET_KEY": "bench",
               "TRACE_PUBLIC_BASE_URL": f"http://127.0.0.1:{gport}", "PYTHONUNBUFFERED": "1"}
        env.pop("FLASK_DEBUG", None)
        (lua := work / "count.lua").write_text(WRK_LUA)
        # `tracechain serve` as deployed: gunicorn, 2 workers; its access log only with --serve.
        name = "tracechain serve, 2 workers" + (", access log" if args.serve else ", no log")
        argv = [str(BIN / "tracechain"), "serve", "--workers", "2", "--port", str(gport)]
        serve_env = {**env, "TRACE_ACCESS_LOG": str(work / "access.log") if args.serve else ""}
        try:
            token = prepare(env)
            servers.append(Server(name, argv, serve_env, gport, work))
            servers.append(Server("flask run (threaded)", [
                str(BIN / "flask"), "--app", "tracechain:create_app()", "run", "--host",
                "127.0.0.1", "--port", str(dport), "--no-debugger", "--no-reload",
                "--with-threads"], env, dport, work))
            check_verified(gport, token)
            for i, (label, path, headers, kind) in enumerate(targets):
                for server in servers if i % 2 == 0 else servers[::-1]:  # take turns first
                    preflight(server, path, headers, kind, strict)
                    wrk(server, path, headers, args.warmup, args, lua)
                    r = results[label, server.name] = wrk(server, path, headers,
                                                         args.duration, args, lua)
                    print(f"  {label} {path} on {server.name}: {r['rps']:,.0f} requests/s")
                if kind == "page":
                    weights[label] = page_weight(gport, path)
        except c.BenchError:
            for server in servers:
                print(f"  {server.name}, log (tail):\n{server.tail()}")
            raise
        finally:
            for server in servers:
                server.stop()
            anvil.stop(work)
    report(args, targets, [s.name for s in servers], results, weights, strict)
    return 0


if __name__ == "__main__":
    c.run_main(main)
