"""The site under load: gunicorn on loopback, driven by wrk with mixed traffic.

    .venv/bin/python bench/load.py --db CATALOG.sqlite3 [--workers 4]
        [--connections 16] [--seconds 60] [--soak 600] [--urls 2000]

Needs Debian's ``wrk`` (``apt-get install wrk``). The catalog is a SQLite
file (the demo's ``var/bzpeer.sqlite3`` or a 1,000,000-work one built by
bench/search.py); it is only read. Without ``--db`` the demo data is loaded
into a temporary file first.

The traffic is a list of URLs drawn from the catalog, each kind in the
share a visitor's session would give it, shuffled with a fixed seed, which
wrk's Lua script walks round-robin from a random start per connection:

- 25 % researcher profiles (the busiest 200 and random others), first page;
- 25 % work pages (random works);
- 15 % searches (`/search?q=` two words of a random title; author names);
- 10 % graph slices (`/api/v1/graph?focus=author:A..`, the profile's slice);
- 25 % API lists (`/api/v1/works` filtered by year, by author, a search;
  `/api/v1/authors?search=`), page 1 or 2.

Every response that is not 2xx or 3xx counts as an error (wrk's count).
Reported: requests/s, latency p50 / p90 / p99 (wrk's), errors; with
``--soak S`` a second run of S seconds during which
the resident memory of gunicorn's master and workers is sampled every 10 s,
printed with the growth from the first minute to the last.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = ROOT / ".venv" / "bin"

LUA = r"""
local urls = {}
for line in io.lines(os.getenv("BZPEER_URLS")) do urls[#urls + 1] = line end
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  math.randomseed(id * 7919)
  counter = math.random(#urls)
end
function request()
  counter = counter % #urls + 1
  return wrk.format("GET", urls[counter])
end
function done(summary, latency, requests)
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("LUA p%d=%.3f\n", p, latency:percentile(p) / 1000))
  end
end
"""


def urls_from(db: Path, count: int, seed: int = 7) -> list[str]:
    """The traffic mix, drawn in a child process configured for ``db``."""
    code = f"""
import json, os, random, sys
os.environ["BZPEER_SQLITE"] = {str(db)!r}
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
import django
django.setup()
from bzpeer.catalog.models import Author, Work
rng = random.Random({seed})
top = list(Author.objects.filter(merged_into=None).order_by("-works_count")
           .values_list("id", "slug", "display_name")[:200])
last_author = Author.objects.order_by("-id").values_list("id", flat=True).first()
last_work = Work.objects.order_by("-id").values_list("id", flat=True).first()
def some(model, last, n, fields):
    out = []
    while len(out) < n:
        ids = [rng.randint(1, last) for _ in range(n)]
        out += list(model.objects.filter(id__in=ids).values_list(*fields))
    return out[:n]
authors = top + some(Author.objects.filter(merged_into=None).model, last_author, 300,
                     ("id", "slug", "display_name"))
works = some(Work, last_work, 500, ("id", "title", "year"))
print(json.dumps({{"authors": authors, "works": works}}))
"""
    env = dict(os.environ, BZPEER_SQLITE=str(db))
    env.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
    out = subprocess.run(
        [str(VENV / "python"), "-c", code], env=env, check=True, capture_output=True, text=True
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    rng = random.Random(seed)
    authors, works = data["authors"], data["works"]
    words = [w for _, title, _ in works for w in re.findall(r"[A-Za-z]{5,}", title or "")]

    def profile() -> str:
        return f"/researchers/{rng.choice(authors)[1]}"

    def work() -> str:
        return f"/works/{rng.choice(works)[0]}"

    def search() -> str:
        if rng.random() < 0.3:
            return "/search?kind=authors&q=" + quote(rng.choice(authors)[2])
        return "/search?q=" + quote(" ".join(rng.sample(words, 2)))

    def graph() -> str:
        return f"/api/v1/graph?focus=author:A{rng.choice(authors)[0]}&limit=60"

    def api() -> str:
        page = rng.choice((1, 1, 2))
        pick = rng.random()
        if pick < 0.35:
            year = rng.choice([w[2] for w in works if w[2]] or [2020])
            return f"/api/v1/works?filter=publication_year:{year}&page={page}"
        if pick < 0.6:
            return f"/api/v1/works?filter=author.id:A{rng.choice(authors)[0]}&page={page}"
        if pick < 0.8:
            return "/api/v1/works?search=" + quote(rng.choice(words))
        return "/api/v1/authors?search=" + quote(rng.choice(authors)[2].split()[-1])

    kinds = [(profile, 25), (work, 25), (search, 15), (graph, 10), (api, 25)]
    mix = [make for make, share in kinds for _ in range(share)]
    return [rng.choice(mix)() for _ in range(count)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, workers: int, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, BZPEER_SQLITE=str(db), BZPEER_DEBUG="0", BZPEER_LOG_LEVEL="WARNING")
    env.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "bzpeer.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not start")


def warm(port: int, urls: list[str]) -> None:
    """Each worker imports the app and opens the catalog, and every URL is
    asked for once, before the clock runs: the figures are of the steady
    state, the page cache (``catalog.revision``) holding what the mix
    visits, as after ``bzpeer import`` or ``enrich`` and the first visits."""
    import urllib.request

    for url in dict.fromkeys(urls):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=30).read()
        except Exception as exc:  # a 4xx here is counted in the run proper
            print(f"warm-up: {url}: {exc}", file=sys.stderr)


def run_wrk(port: int, urls: Path, script: Path, connections: int, seconds: int) -> dict:
    env = dict(os.environ, BZPEER_URLS=str(urls))
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {k: float(v) for k, v in re.findall(r"LUA (\w+)=([\d.]+)", out)}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": int(total.group(1)) if total else 0,
        "requests_per_s": float(rate.group(1)) if rate else 0.0,
        "p50_ms": found.get("p50", 0.0),
        "p90_ms": found.get("p90", 0.0),
        "p99_ms": found.get("p99", 0.0),
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def rss_mb(server: subprocess.Popen[bytes]) -> float:
    import psutil

    root = psutil.Process(server.pid)
    procs = [root, *root.children(recursive=True)]
    return sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20


def demo_catalog(folder: Path) -> Path:
    db = folder / "demo.sqlite3"
    env = dict(os.environ, BZPEER_SQLITE=str(db))
    env.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
    env.pop("DATABASE_URL", None)
    for command in (["migrate"], ["demo", "--quiet"]):
        subprocess.run([str(VENV / "bzpeer"), *command], env=env, check=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="SQLite catalog (default: the demo, loaded)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--soak", type=int, default=0, help="seconds of a soak run (RSS sampled)")
    parser.add_argument("--urls", type=int, default=2000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="bzpeer-load-") as tmp:
        folder = Path(tmp)
        db = args.db.resolve() if args.db else demo_catalog(folder)
        urls = urls_from(db, args.urls)
        (folder / "urls.txt").write_text("\n".join(urls) + "\n")
        (folder / "mix.lua").write_text(LUA)
        port = free_port()
        server = start_server(db, args.workers, port)
        try:
            warm(port, urls)
            load = os.getloadavg()[0]
            result = run_wrk(
                port, folder / "urls.txt", folder / "mix.lua", args.connections, args.seconds
            )
            print(
                f"catalog {db.name}; gunicorn {args.workers} workers; wrk {args.connections} "
                f"connections for {args.seconds} s; {len(urls)} URLs; load before {load:.1f}"
            )
            print(json.dumps(result, indent=1))
            if args.soak:
                samples: list[tuple[int, float]] = []
                stop = threading.Event()

                def sample() -> None:
                    began = time.time()
                    while not stop.is_set():
                        samples.append((int(time.time() - began), rss_mb(server)))
                        stop.wait(10)

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                soak = run_wrk(
                    port, folder / "urls.txt", folder / "mix.lua", args.connections, args.soak
                )
                stop.set()
                sampler.join()
                print(f"soak {args.soak} s:")
                print(json.dumps(soak, indent=1))
                print("seconds  RSS MB (master + workers)")
                for at, mb in samples:
                    print(f"{at:7d}  {mb:8.1f}")
                first = [mb for at, mb in samples if at < 60]
                last = [mb for at, mb in samples if at >= samples[-1][0] - 60]
                if first and last:
                    print(
                        f"first minute mean {sum(first) / len(first):.1f} MB, last minute mean "
                        f"{sum(last) / len(last):.1f} MB"
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
