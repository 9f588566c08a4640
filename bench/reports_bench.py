"""Reports benchmark: the full rollup rebuild, then every dashboard, standard-form and pivot
page through the real server (``jisheng serve``, gunicorn) against the login page, interleaved.

Method: bench/README.md. Seeding 1,000,000 residents takes long, so ``--keep DIR`` keeps the
seeded instance folder (and the PostgreSQL database, which is never dropped) and ``--reuse DIR``
starts from such a folder: only the rebuild and the timings run again.

    .venv/bin/python bench/reports_bench.py --persons 100000 [--database-url postgres://…]
        [--keep DIR | --reuse DIR] [--seed-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from benchlib import peak_rss_mb, setup_django

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = ("demo_street", "demo_district")
FORMS = ("population", "prepregnancy", "supply", "benefits")


def pages(today: dt.date) -> list[tuple[str, str]]:
    """Every page a leader reads: the dashboards, each standard form for last month, the last
    finished quarter and last year, and the pivot page with two typical questions."""
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    quarter_end = today.replace(day=1, month=3 * ((today.month - 1) // 3) + 1) - dt.timedelta(1)
    quarter = (quarter_end.month - 1) // 3 + 1
    year = today.year - 1
    periods = (
        ("month", f"kind=month&year={last_month.year}&month={last_month.month}"),
        ("quarter", f"kind=quarter&year={quarter_end.year}&quarter={quarter}"),
        ("year", f"kind=year&year={year}"),
    )
    found = [("home", "/"), ("dashboard", "/dashboard/"), ("forms", "/reports/forms/")]
    for form in FORMS:
        for label, query in periods:
            found.append((f"{form} {label}", f"/reports/forms/{form}/?{query}"))
    found.append(
        (
            "pivot births unit×sex",
            f"/reports/pivot/?measure=births&rows=unit&columns=sex&start={year}-01&end={year}-12",
        )
    )
    found.append(
        ("pivot persons age×sex", "/reports/pivot/?measure=persons&rows=age_band&columns=sex")
    )
    return found


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; default SQLite")
    parser.add_argument("--rounds", type=int, default=40, help="timed requests per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", default="", help="seed into this (new) instance folder, keep it")
    kept.add_argument("--reuse", default="", help="an instance folder --keep left: no seeding")
    parser.add_argument("--seed-only", action="store_true", help="stop after seeding (--keep)")
    return parser.parse_args()


def say(text: str) -> None:
    print(text, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """One signed-in (or anonymous) client with its own cookies."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.status, response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        _status, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token[1] if token else ""})
        request = urllib.request.Request(self.base + path, data=data.encode(), method="POST")  # noqa: S310
        with self.opener.open(request, timeout=120) as response:
            return response.status, response.read().decode()

    def sign_in(self, username: str, password: str, code: str) -> None:
        _status, page = self.post("/accounts/login/", {"username": username, "password": password})
        if 'name="code"' in page:
            _status, page = self.post("/accounts/two-factor/verify/", {"code": code})
        status, page = self.get("/")
        if status != 200 or "logout" not in page:
            sys.exit(f"reports bench: {username} could not sign in")


def wait_for(base: str, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            Browser(base).get("/accounts/login/")
            return
        except OSError:
            time.sleep(0.3)
    sys.exit("reports bench: the server did not answer")


def timed(browser: Browser, path: str) -> float:
    start = time.perf_counter()
    status, _page = browser.get(path)
    elapsed = time.perf_counter() - start
    if status != 200:
        sys.exit(f"reports bench: {path} answered {status}")
    return elapsed


def cpu_per_page(shown: list[tuple[str, str]], runs: int = 5) -> dict[str, dict[str, float]]:
    """Each page's CPU time in this process (median of ``runs``; Django's test client, the
    same sign-in), against the login page's: what the page costs whatever the machine's
    load. On SQLite this includes the queries; PostgreSQL's share runs in its server."""
    from django.conf import settings
    from django.test import Client

    from jisheng.accounts.models import User
    from jisheng.accounts.two_factor import SESSION_KEY, Step

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def cpu_ms(client: Client, path: str) -> float:
        client.get(path)
        spent = []
        for _ in range(runs):
            start = time.process_time()
            status = client.get(path).status_code
            spent.append(time.process_time() - start)
            if status != 200:
                sys.exit(f"reports bench: {path} answered {status} in process")
        return statistics.median(spent) * 1000

    login = cpu_ms(Client(), "/accounts/login/")
    found = {"login": {"cpu_ms": login, "cpu_ratio": 1.0}}
    for name in ACCOUNTS:
        client = Client()
        client.force_login(User.objects.get(username=name))
        session = client.session
        session[SESSION_KEY] = Step.DONE.value  # as the code step would
        session.save()
        for key, path in shown:
            spent = cpu_ms(client, path)
            found[f"{key} ({name})"] = {"cpu_ms": spent, "cpu_ratio": spent / login}
    return found


def summary(seconds: list[float], baseline: float) -> dict[str, float]:
    ordered = sorted(seconds)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {"p50_ms": p50 * 1000, "p95_ms": p95 * 1000, "p50_ratio": p50 / baseline}


def main() -> None:
    args = parse_args()
    if args.reuse:
        home = Path(args.reuse).resolve()
        if not home.is_dir():
            sys.exit(f"reports bench: {home} is not a kept instance folder")
    elif args.keep:
        home = Path(args.keep).resolve()
        home.mkdir(parents=True, exist_ok=False)
    else:
        home = Path(tempfile.mkdtemp(prefix="jisheng-reports-bench-"))
    setup_django(args.database_url, home, env="demo")
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from jisheng.demo.seed import DEMO_PASSWORD, demo_totp_code, seed_demo
    from jisheng.registry.models import Person
    from jisheng.reports.rollups.models import RollupCell
    from jisheng.reports.rollups.services import rollups_check, rollups_rebuild

    vendor = connection.vendor
    results: dict[str, Any] = {
        "vendor": vendor,
        "persons": args.persons,
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "python": sys.version.split()[0],
    }
    if args.reuse:
        seeded = json.loads((home / "seed.json").read_text())
        results["persons"] = seeded.get("persons", args.persons)
        results["seed_seconds"] = seeded["seed_seconds"]
        say(f"reports benchmark: {results['persons']:,} kept residents on {vendor} ({home})")
    else:
        if Person.objects.exists():
            sys.exit("reports bench: the database must be empty (a fresh one per run)")
        say(f"reports benchmark: {args.persons:,} residents on {vendor}")

        shown_at = [0]

        def progress(done: int, total: int) -> None:
            if done - shown_at[0] >= 50_000 or done == total:
                shown_at[0] = done
                say(f"    {done:,} / {total:,} residents saved ({time.strftime('%H:%M:%S')})")

        start = time.perf_counter()
        seed_demo(persons=args.persons, on_progress=progress)
        results["seed_seconds"] = time.perf_counter() - start
        (home / "seed.json").write_text(
            json.dumps({"persons": args.persons, "seed_seconds": results["seed_seconds"]})
        )
        say(f"  demo seeded: {results['seed_seconds']:.0f}s")
        if args.seed_only:
            say(f"  kept: {home}")
            return
    results["load_average"] = {"before_rebuild": os.getloadavg()}
    start, cpu = time.perf_counter(), time.process_time()
    cells = rollups_rebuild()
    results["rebuild_seconds"] = time.perf_counter() - start
    # SQLite works in this process: its CPU time says what a quiet machine would take.
    results["rebuild_cpu_seconds"] = time.process_time() - cpu
    results["cells"] = cells
    results["rebuild_peak_rss_mb"] = peak_rss_mb()
    say(
        f"  rollup rebuild: {results['rebuild_seconds']:.1f}s "
        f"({results['rebuild_cpu_seconds']:.1f}s CPU here), {cells:,} cells"
    )
    differences = rollups_check()
    results["check_differences"] = len(differences)
    say(f"  check: {len(differences)} differences, {RollupCell.objects.count():,} cells stored")
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "JISHENG_HOME": str(home), "JISHENG_ENV": "demo"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    server = subprocess.Popen(  # noqa: S603 - fixed argument list
        [
            sys.executable,
            "-m",
            "jisheng.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(base)
        anonymous = Browser(base)
        users = {name: Browser(base) for name in ACCOUNTS}
        for name, browser in users.items():
            browser.sign_in(name, DEMO_PASSWORD, demo_totp_code())
        timings: dict[str, list[float]] = {"login": []}
        shown = pages(timezone.localdate())
        results["paths"] = dict(shown)
        # One untimed round warms every page; then the pages take turns with the login page.
        for browser in users.values():
            for _key, path in shown:
                timed(browser, path)
        results["load_average"]["before_pages"] = os.getloadavg()
        for _round in range(args.rounds):
            for name, browser in users.items():
                for key, path in shown:
                    timings["login"].append(timed(anonymous, "/accounts/login/"))
                    timings.setdefault(f"{key} ({name})", []).append(timed(browser, path))
        results["load_average"]["after_pages"] = os.getloadavg()
        baseline = statistics.median(timings["login"])
        results["pages"] = {page: summary(s, baseline) for page, s in timings.items()}
        for page, figures in results["pages"].items():
            say(
                f"  {page}: p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
                f"{figures['p50_ratio']:.2f}× login"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["cpu"] = cpu_per_page(shown)
    for page, figures in results["cpu"].items():
        ratio = figures["cpu_ratio"]
        say(f"  {page}: {figures['cpu_ms']:.1f} ms CPU in process, {ratio:.1f}× login")
    RESULTS.mkdir(exist_ok=True)
    results["residents_stored"] = Person.objects.count()  # the demo adds its named families
    out = RESULTS / f"reports-{vendor}-{results['persons']}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"  written: {out.relative_to(ROOT)} (debug={settings.DEBUG})")


if __name__ == "__main__":
    main()
