"""Sex-ratio benchmark: SRB for every community × 20 quarters × 3 birth orders through the
app (``governance.selectors.srb.srb_grid``: one grouped ORM query, the merge and every cell's
interval and verdict) against one hand-written GROUP BY for the same cells, on SQLite and on
PostgreSQL in the same run. The figures must agree cell by cell; the ratio app ÷ SQL is printed.

Births are the registry's birth events of the demo population's children born in the last
five years (the governance demo seeder writes them, with each child's birth order among its
mother's children) plus the demo's community with high third-order births.

    .venv/bin/python bench/governance_bench.py --persons 100000 \
        --database-url postgres://USER:PASSWORD@HOST:PORT/DB

The PostgreSQL role must be allowed to create databases: a throwaway ``<DB>_srb_bench`` is
made and dropped. At 1,000,000 residents run it the same way with ``JISHENG_BENCH_FULL=1``
(``--persons 1000000``; loading takes about ten minutes per database on a quiet machine).
Results and method: bench/README.md, "Governance".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchlib import peak_rss_mb, setup_django

RESULTS = Path(__file__).parent / "results"
QUARTERS = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (a server to use)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (median)")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)  # sqlite | postgresql
    return parser.parse_args()


def say(text: str) -> None:
    print(text, flush=True)


def timed_pairs(
    first: Callable[[], Any], second: Callable[[], Any], runs: int
) -> tuple[dict[str, Any], Any, dict[str, Any], Any]:
    """Each side timed ``runs`` times, the two in turn (alternating which goes first), so that
    a change in the machine's load weighs on both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    results: list[Any] = [None, None]
    calls = (first, second)
    for run in range(runs):
        for side in (0, 1) if run % 2 == 0 else (1, 0):
            start = time.perf_counter()
            results[side] = calls[side]()
            times[side].append(time.perf_counter() - start)
    first_time, second_time = (
        {"median_s": statistics.median(seconds), "min_s": min(seconds), "runs_s": seconds}
        for seconds in times
    )
    return first_time, results[0], second_time, results[1]


def quarter_span(today: dt.date) -> tuple[dt.date, dt.date]:
    """The 20 quarters ending with the current one."""
    from jisheng.governance.periods import of_month

    current = of_month("quarter", today)
    return current.previous(QUARTERS - 1).start, current.end


def hand_sql(vendor: str) -> str:
    """The same cells by hand: births not reversed, by community, year, quarter and order."""
    if vendor == "postgresql":
        year = "EXTRACT(YEAR FROM e.date)::int"
        quarter = "EXTRACT(QUARTER FROM e.date)::int"
        order = "COALESCE((e.data->>'birth_order')::int, 1)"
    else:
        year = "CAST(strftime('%Y', e.date) AS INTEGER)"
        quarter = "(CAST(strftime('%m', e.date) AS INTEGER) + 2) / 3"
        order = "COALESCE(CAST(json_extract(e.data, '$.birth_order') AS INTEGER), 1)"
    return f"""
        SELECT e.community_id, {year} AS y, {quarter} AS q,
               CASE WHEN {order} >= 3 THEN 3 WHEN {order} = 2 THEN 2 ELSE 1 END AS o,
               SUM(CASE WHEN p.sex = 'M' THEN 1 ELSE 0 END),
               SUM(CASE WHEN p.sex = 'F' THEN 1 ELSE 0 END)
        FROM registry_lifeevent e
        JOIN registry_person p ON p.id = e.person_id
        WHERE e.kind = 'birth' AND e.date BETWEEN %s AND %s
          AND e.community_id IN (SELECT id FROM core_orgunit WHERE kind IN ('community', 'village'))
          AND NOT EXISTS (SELECT 1 FROM registry_lifeevent r WHERE r.reverses_id = e.id)
        GROUP BY 1, 2, 3, 4
    """


def child(args: argparse.Namespace) -> None:
    """One database: load, seed the births, time both sides, write the result file."""
    home = Path(tempfile.mkdtemp(prefix="jisheng-governance-bench-"))
    setup_django(args.database_url if args.child == "postgresql" else "", home, env="demo")

    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from jisheng.accounts.models import User
    from jisheng.core.db import refresh_planner_statistics
    from jisheng.core.models import OrgUnit
    from jisheng.demo import population as pop
    from jisheng.demo.seed import (
        BUNDLES_PER_BATCH,
        _batches,
        _save_batch,
        seed_accounts,
        seed_org_tree,
    )
    from jisheng.governance import demo
    from jisheng.governance.selectors.srb import srb_grid
    from jisheng.registry.models import LifeEvent, Person

    if Person.objects.exists():
        sys.exit("governance bench: the database must be empty (a fresh one per run)")
    vendor = connection.vendor
    today = timezone.localdate()
    start, end = quarter_span(today)
    phases: dict[str, Any] = {}

    def phase(name: str, call: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        value = call()
        phases[name] = {"seconds": time.perf_counter() - began, "peak_rss_mb": peak_rss_mb()}
        say(f"  [{vendor}] {name}: {phases[name]['seconds']:.1f}s")
        return value

    with transaction.atomic():
        district, street, communities = seed_org_tree()
        seed_accounts(district, street, communities)

    def load() -> None:
        bundles = pop.generate_population(args.persons, n_communities=len(communities), today=today)
        for batch in _batches(bundles, BUNDLES_PER_BATCH):
            with transaction.atomic():
                _save_batch(batch, communities, today)

    phase("load_population", load)
    phase(
        "births",
        lambda: demo.demo_seed(street=street, today=today, rng=random.Random(2014)),
    )
    phase("analyze", lambda: refresh_planner_statistics("registry_person", "registry_lifeevent"))
    ids = list(
        OrgUnit.objects.filter(kind__in=["community", "village"]).values_list("id", flat=True)
    )
    assert User.objects.exists()

    def app() -> dict[tuple[int, str, str], tuple[int, int, str]]:
        grid = srb_grid(LifeEvent.objects.all(), communities=ids, start=start, end=end)
        # Every figure as the page shows it: ratio, interval and verdict computed.
        return {
            key: (f.boys, f.girls, f"{f.ratio}|{f.interval}|{f.verdict}") for key, f in grid.items()
        }

    sql = hand_sql(vendor)

    def hand() -> dict[tuple[int, str, str], tuple[int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end])
            return {
                (community, f"{int(y)}Q{int(q)}", str(int(o))): (int(boys), int(girls))
                for community, y, q, o, boys, girls in cursor.fetchall()
            }

    app(), hand()  # warm both once, untimed
    app_time, app_cells, hand_time, hand_cells = timed_pairs(app, hand, args.runs)
    disagree = {
        str(key): [app_cells.get(key, (0, 0, ""))[:2], hand_cells.get(key)]
        for key in set(app_cells) | set(hand_cells)
        if app_cells.get(key, (0, 0, ""))[:2] != hand_cells.get(key)
    }
    births = sum(b + g for b, g in hand_cells.values())
    result = {
        "vendor": vendor,
        "persons": args.persons,
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "today": today.isoformat(),
        "span": [start.isoformat(), end.isoformat()],
        "communities": len(ids),
        "cells_with_births": len(hand_cells),
        "births": births,
        "grid": f"{len(ids)} communities × {QUARTERS} quarters × 3 birth orders",
        "python": sys.version.split()[0],
        "timing": f"median of {args.runs} runs of each side, the two in turn",
        "load_average_after": list(os.getloadavg()),
        "phases": phases,
        "app": app_time,
        "hand_sql": hand_time,
        "ratio_app_to_sql": app_time["median_s"] / hand_time["median_s"],
        "ratio_of_fastest_runs": app_time["min_s"] / hand_time["min_s"],
        "target_ratio": 2.0,
        "disagreements": disagree,
        "agree": not disagree,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"governance-{vendor}-{args.persons}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"  [{vendor}] written {out}")
    if disagree:
        sys.exit(f"governance bench: {len(disagree)} cells disagree with the hand SQL")


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    if not args.database_url:
        sys.exit("governance bench: give --database-url (PostgreSQL): both databases run")
    if args.persons > 100_000 and not os.environ.get("JISHENG_BENCH_FULL"):
        sys.exit(
            "governance bench: above 100,000 residents set JISHENG_BENCH_FULL=1 (quiet machine)"
        )
    parts = urlsplit(args.database_url)
    name = parts.path.lstrip("/") + "_srb_bench"
    bench_url = urlunsplit(parts._replace(path="/" + name))
    _admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(args.database_url, f'CREATE DATABASE "{name}"')
    say(f"governance benchmark: {args.persons:,} residents, SQLite then PostgreSQL")
    try:
        for vendor in ("sqlite", "postgresql"):
            subprocess.run(  # noqa: S603 - this very script, with our own arguments
                [
                    sys.executable,
                    __file__,
                    "--child",
                    vendor,
                    "--persons",
                    str(args.persons),
                    "--runs",
                    str(args.runs),
                    "--database-url",
                    bench_url,
                ],
                check=True,
            )
    finally:
        _admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}"')
    for vendor in ("sqlite", "postgresql"):
        found = json.loads((RESULTS / f"governance-{vendor}-{args.persons}.json").read_text())
        say(
            f"{vendor:>10}: {found['births']:,} births in {found['cells_with_births']} cells; "
            f"app {found['app']['median_s'] * 1000:.1f} ms, hand SQL "
            f"{found['hand_sql']['median_s'] * 1000:.1f} ms, ratio "
            f"{found['ratio_app_to_sql']:.2f} (target ≤ 2); agree: {found['agree']}"
        )


if __name__ == "__main__":
    main()
