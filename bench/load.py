#!/usr/bin/env python
"""Load benchmark: 50 concurrent users against the production server (gunicorn) on the demo data.

    .venv/bin/python bench/load.py                                                   # SQLite (var/load/)
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/tt_load

It builds its own database (`migrate`, `seed_demo --size small`), issues an API token to a demo enterprise
user, starts gunicorn on loopback (DEBUG off, the workers and threads of `make serve`), and runs locust
headless for a fixed time with a fixed number of users, each mixing: the home page, the search page with
keywords of the published achievements, a published demand's match panel (as the demand page loads it, by
htmx), the API lists of achievements, demands and challenges, and the creation of a draft demand through
the API with the token. Every request's time is recorded (not locust's rounded buckets), and per endpoint
the request count, errors, p50/p95/max go to bench/results/load-<vendor>.json and replace this database's
section of BENCHMARKS.md. `--reuse` keeps an already built database (quick runs while developing).

This file is also the locustfile: locust imports it with LOAD_BENCH_CONFIG set (see the end of the file).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
# Pages are what a person waits for; the target (issue 8) is on them.
PAGES = ("home", "search", "match panel")
TARGET_P95_MS = 300


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'load' / 'load.sqlite3'}")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load after all users started")
    parser.add_argument("--port", type=int, default=8123)
    # As `make serve`: one process per core plus one, four threads each.
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep the database if it holds the demo")
    parser.add_argument("--no-markdown", action="store_true", help="Do not update BENCHMARKS.md.")
    parser.add_argument("--label", default="", help="suffix of the results file (e.g. 'before')")
    return parser.parse_args()


def vendor_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def fresh_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def server_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="techtransfer.settings",
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Its own cache folder: a run never reads another run's (or another checkout's) entries.
        CACHE_URL=env.get("CACHE_URL") or f"file://{ROOT / 'var' / 'load' / ('cache-' + vendor_of(args.database_url))}",
    )
    return env


def build_database(args: argparse.Namespace, env: dict[str, str]) -> float:
    started = time.monotonic()
    fresh_database(args.database_url)
    manage = [str(BIN / "python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "seed_demo", "--size", "small"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def prepare(env: dict[str, str]) -> dict[str, object]:
    """Token, demand ids and queries from the database, in a child process (Django set up there only)."""
    code = r"""
import json, django
django.setup()
from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Membership
from techtransfer.accounts.services import api_token_create
from techtransfer.achievements.models import Achievement
from techtransfer.core.models import CodeItem
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market import permissions as perms

member = next(m for m in Membership.objects.select_related("user", "organisation")
              .filter(organisation__org_type=OrgType.ENTERPRISE).order_by("pk")
              if m.user.is_active and perms.can_create_for(m.user, m.organisation_id))
_, key = api_token_create(user=member.user, name="load benchmark")
queries = sorted({k for a in Achievement.objects.public() for k in a.keywords if k})
print(json.dumps({
    "token": key,
    "user": member.user.username,
    "owner": member.organisation_id,
    "demands": list(TechnologyDemand.objects.filter(status=DemandStatus.PUBLISHED).values_list("pk", flat=True)),
    "queries": queries,
    "fields": list(CodeItem.objects.current("high_tech_field").values_list("code", flat=True)),
    "counts": {"achievements_public": Achievement.objects.public().count(),
               "demands_published": TechnologyDemand.objects.filter(status=DemandStatus.PUBLISHED).count()},
}))
"""
    out = subprocess.run(
        [str(BIN / "python"), "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def demo_present(env: dict[str, str]) -> bool:
    code = "import django; django.setup(); from techtransfer.demo.loader import demo_exists; print(demo_exists())"
    out = subprocess.run([str(BIN / "python"), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip().endswith("True")


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(ROOT / "var" / "load" / f"gunicorn-{vendor_of(args.database_url)}.log", "wb")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "techtransfer.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--timeout",
            "60",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log.name}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/", timeout=5).read()
            return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def warm_up(args: argparse.Namespace, config: dict[str, object]) -> None:
    """One request to each page per worker's first use, so the run measures steady state, not imports."""
    base = f"http://127.0.0.1:{args.port}"
    demand = config["demands"][0]  # type: ignore[index]
    for _ in range(args.workers * 2):
        for path in ("/", f"/search/?q={urllib.parse.quote(config['queries'][0])}", f"/matching/demands/{demand}/"):  # type: ignore[index]
            urllib.request.urlopen(base + path, timeout=60).read()
        # A worker's first write loads the sentence model (seconds), as once after each start.
        body = json.dumps({"title": "预热需求", "description": "预热"}).encode()
        headers = {"Authorization": f"Token {config['token']}", "Content-Type": "application/json"}
        request = urllib.request.Request(base + "/api/v1/demands/", data=body, headers=headers, method="POST")
        urllib.request.urlopen(request, timeout=120).read()


def one_by_one(args: argparse.Namespace, config: dict[str, object], rounds: int = 15) -> dict[str, float]:
    """Median time of each page and API list asked alone (one request at a time, after the warm-up): what
    a request costs without the queueing of the load phase."""
    base = f"http://127.0.0.1:{args.port}"
    queries = config["queries"]  # type: ignore[index]
    demands = config["demands"]  # type: ignore[index]
    paths = {
        "home": lambda i: "/",
        "search": lambda i: f"/search/?q={urllib.parse.quote(queries[i % len(queries)])}",
        "match panel": lambda i: f"/matching/demands/{demands[i % len(demands)]}/",
        "api achievements": lambda i: "/api/v1/achievements/",
        "api demands": lambda i: "/api/v1/demands/",
        "api challenges": lambda i: "/api/v1/challenges/",
    }
    medians = {}
    for name, path in paths.items():
        times = []
        for i in range(rounds):
            request = urllib.request.Request(
                base + path(i), headers={"HX-Request": "true"} if name == "match panel" else {}
            )
            started = time.perf_counter()
            urllib.request.urlopen(request, timeout=60).read()
            times.append(1000 * (time.perf_counter() - started))
        medians[name] = round(statistics.median(times), 1)
    return medians


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) of gunicorn's master and workers so far: the work per request, which the
    other programs on a shared machine do not inflate as they do the response times."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarise(samples: list[list[object]]) -> dict[str, dict[str, float]]:
    by_name: dict[str, list[list[object]]] = {}
    for sample in samples:
        by_name.setdefault(str(sample[0]), []).append(sample)
    summary = {}
    for name, rows in sorted(by_name.items()):
        times = [float(r[1]) for r in rows]  # type: ignore[arg-type]
        errors = [r[2] for r in rows if r[2]]
        summary[name] = {
            "requests": len(rows),
            "errors": len(errors),
            "error_examples": sorted({str(e)[:120] for e in errors})[:3],
            "p50_ms": round(percentile(times, 0.50), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
            "mean_ms": round(statistics.fmean(times), 1),
        }
    return summary


def run_locust(args: argparse.Namespace, config: dict[str, object]) -> tuple[list[list[object]], float]:
    work = ROOT / "var" / "load"
    config_path = work / "locust-config.json"
    samples_path = work / "locust-samples.json"
    samples_path.unlink(missing_ok=True)
    config_path.write_text(json.dumps({**config, "samples": str(samples_path)}), encoding="utf-8")
    ramp = args.users / args.spawn_rate
    env = {**os.environ, "LOAD_BENCH_CONFIG": str(config_path)}
    started = time.monotonic()
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(Path(__file__).resolve()),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            f"{round(args.duration + ramp)}s",
            "--stop-timeout",
            "30",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
        check=False,  # locust exits 1 when a request failed; the failures are in the samples
    )
    wall = time.monotonic() - started
    return json.loads(samples_path.read_text(encoding="utf-8")), wall


def git_commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    )
    return (out.stdout.strip() or "?") + ("+changes" if dirty.stdout.strip() else "")


def main() -> None:
    args = parse_args()
    (ROOT / "var" / "load").mkdir(parents=True, exist_ok=True)
    env = server_env(args)
    vendor = vendor_of(args.database_url)
    build_seconds = None
    if not (args.reuse and demo_present(env)):
        build_seconds = round(build_database(args, env), 1)
        print(f"database built in {build_seconds} s", flush=True)
    import shutil

    shutil.rmtree(env["CACHE_URL"].removeprefix("file://"), ignore_errors=True)  # start cold, as after a deploy
    config = prepare(env)
    server = start_server(args, env)
    try:
        warm_up(args, config)
        alone = one_by_one(args, config)
        load_start = os.getloadavg()[0]
        cpu_start = server_cpu_seconds(server)
        samples, wall = run_locust(args, config)
        cpu = server_cpu_seconds(server) - cpu_start
        load_end = os.getloadavg()[0]
    finally:
        stop_server(server)
    summary = summarise(samples)
    pages_ok = all(summary[p]["errors"] == 0 and summary[p]["p95_ms"] <= TARGET_P95_MS for p in PAGES if p in summary)
    total_errors = sum(int(s["errors"]) for s in summary.values())
    results = {
        "database": vendor,
        "commit": git_commit(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "duration_s": args.duration,
        "wall_s": round(wall, 1),
        "think_time_s": list(THINK_TIME),
        "server": f"gunicorn {args.workers} workers x {args.threads} threads",
        "build_seconds": build_seconds,
        "data": config["counts"],
        "load_average_start_end": [round(load_start, 2), round(load_end, 2)],
        "requests": len(samples),
        "requests_per_second": round(len(samples) / wall, 1),
        "server_cpu_seconds": round(cpu, 1),
        "server_cpu_ms_per_request": round(1000 * cpu / max(1, len(samples)), 1),
        "errors": total_errors,
        "pages_meet_target": pages_ok,
        "endpoints": summary,
        "alone_median_ms": alone,
    }
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    suffix = f"-{args.label}" if args.label else ""
    (results_dir / f"load-{vendor}{suffix}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if not args.no_markdown:
        update_markdown(results, args)


def update_markdown(results: dict[str, object], args: argparse.Namespace) -> None:
    """Replace (or add) this database's section of BENCHMARKS.md."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    key = f"load:{results['database']}"
    command = ".venv/bin/python bench/load.py"
    if results["database"] != "sqlite":
        command += f" --database-url {args.database_url}"
    if args.duration != 60 or args.users != 50:
        command += f" --users {args.users} --duration {args.duration}"
    alone = results["alone_median_ms"]
    rows = "".join(
        f"| {name} | {s['requests']} | {s['errors']} | {s['p50_ms']:.0f} | **{s['p95_ms']:.0f}** | {s['max_ms']:.0f} | "
        f"{alone.get(name, '–')} |\n"  # type: ignore[attr-defined]
        for name, s in results["endpoints"].items()  # type: ignore[attr-defined]
    )
    verdict = "met" if results["pages_meet_target"] else "**not met**"
    section = (
        f"<!-- {key} -->\n"
        f"### Load, {results['users']} users, {results['database']}\n\n"
        f"`{command}` ({results['date']}, commit {results['commit']}, {results['cpu_count']} cores, "
        f"Python {results['python']}; {results['server']}; {results['users']} users started at "
        f"{results['spawn_rate']}/s, each waiting {THINK_TIME[0]}–{THINK_TIME[1]} s between requests, "
        f"{results['duration_s']} s; load average {results['load_average_start_end'][0]} → "  # type: ignore[index]
        f"{results['load_average_start_end'][1]})\n\n"  # type: ignore[index]
        f"{results['requests']} requests ({results['requests_per_second']}/s), {results['errors']} errors; the server "
        f"used {results['server_cpu_seconds']} CPU-seconds, {results['server_cpu_ms_per_request']} ms a request. "
        f"Target for pages (0 errors, p95 ≤ {TARGET_P95_MS} ms): {verdict}. The last column is the median of 15 "
        "requests sent one at a time before the load (no queueing).\n\n"
        "| endpoint | requests | errors | p50 ms | p95 ms | max ms | alone, median ms |\n|---|---|---|---|---|---|---|\n"
        f"{rows}"
        f"<!-- /{key} -->\n"
    )
    pattern = re.compile(rf"<!-- {re.escape(key)} -->.*?<!-- /{re.escape(key)} -->\n", re.S)
    text = pattern.sub(section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


# Think time of each simulated user between two requests (seconds): people read pages.
THINK_TIME = (1.0, 3.0)

# ---------------------------------------------------------------- the locustfile part
if os.environ.get("LOAD_BENCH_CONFIG"):
    import random

    from locust import FastHttpUser, between, events, task

    CONFIG = json.loads(Path(os.environ["LOAD_BENCH_CONFIG"]).read_text(encoding="utf-8"))
    SAMPLES: list[list[object]] = []

    @events.request.add_listener
    def _record(request_type, name, response_time, response_length, exception=None, **kwargs):  # type: ignore[no-untyped-def]
        SAMPLES.append([name, response_time, repr(exception) if exception else ""])

    @events.quitting.add_listener
    def _dump(environment, **kwargs):  # type: ignore[no-untyped-def]
        Path(CONFIG["samples"]).write_text(json.dumps(SAMPLES), encoding="utf-8")

    class Visitor(FastHttpUser):
        wait_time = between(*THINK_TIME)

        @task(4)
        def home(self) -> None:
            self.client.get("/", name="home")

        @task(4)
        def search(self) -> None:
            query = random.choice(CONFIG["queries"])
            self.client.get(f"/search/?q={urllib.parse.quote(query)}", name="search")

        @task(3)
        def match_panel(self) -> None:
            demand = random.choice(CONFIG["demands"])
            self.client.get(f"/matching/demands/{demand}/", headers={"HX-Request": "true"}, name="match panel")

        @task(1)
        def api_achievements(self) -> None:
            self.client.get("/api/v1/achievements/", name="api achievements")

        @task(1)
        def api_demands(self) -> None:
            self.client.get("/api/v1/demands/", name="api demands")

        @task(1)
        def api_challenges(self) -> None:
            self.client.get("/api/v1/challenges/", name="api challenges")

        @task(1)
        def api_create_demand(self) -> None:
            body = {
                "title": f"负载测试需求 {random.randrange(10**6)}",
                "description": "压力测试写入的草稿需求：寻求锂电池正极材料的低成本制备工艺。",
                "field": random.choice(CONFIG["fields"]),
            }
            headers = {"Authorization": f"Token {CONFIG['token']}"}
            with self.client.post(
                "/api/v1/demands/", json=body, headers=headers, name="api create demand", catch_response=True
            ) as response:
                if response.status_code != 201:
                    response.failure(f"{response.status_code}: {response.text[:100]}")


if __name__ == "__main__":
    main()
