"""Targets benchmark: every indicator for every community for one quarter, against the same
figures from hand-written SQL in the same run (which must agree).

The population is the demo generator's; the records the indicators count come from the
modules' own demo seeders (pre-pregnancy, contraceptives, benefits) and a joint meeting in most
months. The quarter is the last full one before today. Method: bench/README.md.

    .venv/bin/python bench/targets_bench.py --persons 100000 [--database-url postgres://…]

Loading a million residents takes long, so a run can keep its loaded instance (``--keep DIR``:
the instance folder, with the SQLite database, and a note of the database it loaded) and a later
run can time that data again without loading (``--reuse DIR``; migrations still run, so a new
index is built on the kept data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchlib import peak_rss_mb, setup_django

RESULTS = Path(__file__).parent / "results"
TABLES = (
    "registry_person",
    "prepregnancy_targetcouple",
    "prepregnancy_checkup",
    "prepregnancy_followup",
    "contraceptives_rosterentry",
    "contraceptives_rosterfollowup",
    "contraceptives_stockcount",
    "contraceptives_stockcountline",
    "benefits_application",
    "benefits_transition",
    "benefits_reviewitem",
    "targets_meeting",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; default SQLite")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (median)")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", type=Path, help="load into this new instance folder and keep it")
    kept.add_argument("--reuse", type=Path, help="time the data a --keep run left in this folder")
    return parser.parse_args()


KEPT_NOTE = "targets-bench.json"


def instance_home(args: argparse.Namespace) -> Path:
    """The instance folder of this run; with --reuse, ``args`` takes the kept run's settings."""
    if args.reuse:
        note = json.loads((args.reuse / KEPT_NOTE).read_text(encoding="utf-8"))
        if not note.get("loaded"):
            sys.exit(f"targets bench: the load into {args.reuse} never finished")
        args.persons, args.database_url = note["persons"], note["database_url"]
        return Path(args.reuse)
    if args.keep:
        args.keep.mkdir(parents=True)
        return Path(args.keep)
    return Path(tempfile.mkdtemp(prefix="jisheng-targets-bench-"))


def write_note(home: Path, args: argparse.Namespace, *, loaded: bool) -> None:
    note = {"persons": args.persons, "database_url": args.database_url, "loaded": loaded}
    (home / KEPT_NOTE).write_text(json.dumps(note) + "\n", encoding="utf-8")


def say(text: str) -> None:
    print(text, flush=True)


def timed_runs(call: Callable[[], Any], runs: int) -> tuple[dict[str, Any], Any]:
    seconds = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
    return {"median_s": statistics.median(seconds), "runs_s": seconds}, result


def last_full_quarter(today: dt.date) -> Any:
    from jisheng.core.indicators import Period

    current = Period.quarter_of(today)
    assert current.quarter is not None
    if current.quarter == 1:
        return Period(today.year - 1, 4)
    return Period(today.year, current.quarter - 1)


# --- the app: every indicator through the hook, community by community ---------------------


def app_figures(communities: list[Any], period: Any) -> dict[tuple[str, int], Decimal | None]:
    """Every declared indicator for every community, through ``Indicator.compute_units``."""
    from jisheng.core import modules

    return {
        (key, unit): value
        for key, indicator in modules.indicators().items()
        for unit, value in indicator.compute_units(communities, period).items()
    }


# --- the same figures, hand-written: one grouped query per indicator -----------------------


def _local_midnight(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def raw_queries(period: Any, today: dt.date, vendor: str) -> dict[str, tuple[str, list[Any]]]:
    from jisheng.benefits.indicators import DECISION_DAYS

    start, end = period.start, period.end
    limit = dt.timedelta(days=DECISION_DAYS)
    last = min(end, today)
    if vendor == "postgresql":
        in_time = f"d.decided_at <= a.created_at + interval '{DECISION_DAYS} days'"
        month = "to_char(m.date, 'YYYY-MM')"
    else:
        in_time = f"julianday(d.decided_at) <= julianday(a.created_at) + {DECISION_DAYS}"
        month = "strftime('%%Y-%%m', m.date)"
    months = len([m for m in period.months() if m <= (today.year, today.month)])
    checked = (
        "EXISTS (SELECT 1 FROM prepregnancy_checkup k WHERE k.couple_id = c.id AND k.date <= %s)"
    )
    return {
        "prepregnancy.check_coverage": (
            f"""SELECT c.community_id, COUNT(*), SUM(CASE WHEN {checked} THEN 1 ELSE 0 END)
            FROM prepregnancy_targetcouple c
            WHERE c.entered_on >= %s AND c.entered_on <= %s
              AND (c.closed_on > %s
                   OR (c.closed_on IS NULL AND c.state NOT IN ('ended', 'moved_out'))
                   OR {checked})
            GROUP BY c.community_id""",
            [end, start, end, end, end],
        ),
        "prepregnancy.followups_on_time": (
            """SELECT c.community_id, COUNT(*),
                      SUM(CASE WHEN f.state = 'done' AND f.done_on <= %s THEN 1 ELSE 0 END)
            FROM prepregnancy_followup f JOIN prepregnancy_targetcouple c ON c.id = f.couple_id
            WHERE f.due_date >= %s AND f.due_date <= %s
            GROUP BY c.community_id""",
            [end, start, end],
        ),
        "contraceptives.roster_followed_up": (
            """SELECT p.community_id, COUNT(*), SUM(CASE WHEN EXISTS (
                    SELECT 1 FROM contraceptives_rosterfollowup u
                    WHERE u.entry_id = e.id AND u.date >= %s AND u.date <= %s)
                THEN 1 ELSE 0 END)
            FROM contraceptives_rosterentry e JOIN registry_person p ON p.id = e.person_id
            WHERE e.start_date <= %s AND (e.stop_date IS NULL OR e.stop_date >= %s)
            GROUP BY p.community_id""",
            [start, end, end, start],
        ),
        "contraceptives.stocktake_variance": (
            """SELECT d.org_unit_id, SUM(ABS(l.counted - l.on_card)), SUM(l.on_card)
            FROM contraceptives_stockcountline l
            JOIN contraceptives_stockcount s ON s.id = l.count_id
            JOIN contraceptives_distributionpoint d ON d.id = s.point_id
            WHERE s.state = 'posted' AND s.count_date >= %s AND s.count_date <= %s
              AND l.counted IS NOT NULL
            GROUP BY d.org_unit_id""",
            [start, end],
        ),
        "benefits.decided_in_time": (
            f"""SELECT a.community_id, COUNT(*),
                      SUM(CASE WHEN d.decided_at IS NOT NULL AND {in_time} THEN 1 ELSE 0 END)
            FROM benefits_application a
            LEFT JOIN (SELECT application_id, MIN(at) AS decided_at FROM benefits_transition
                       WHERE to_state IN ('approved', 'rejected') GROUP BY application_id) d
                   ON d.application_id = a.id
            WHERE a.created_at >= %s AND a.created_at < %s
            GROUP BY a.community_id""",
            [_local_midnight(start - limit), _local_midnight(last - limit + dt.timedelta(days=1))],
        ),
        "benefits.annual_review_completed": (
            """SELECT i.community_id, COUNT(*),
                      SUM(CASE WHEN i.decision <> 'pending' AND i.decided_at < %s
                          THEN 1 ELSE 0 END)
            FROM benefits_reviewitem i JOIN benefits_reviewcampaign c ON c.id = i.campaign_id
            WHERE c.year = %s
            GROUP BY i.community_id""",
            [_local_midnight(end + dt.timedelta(days=1)), period.year],
        ),
        # Months with a joint meeting of the community, its street or its district.
        "targets.joint_meetings_monthly": (
            f"""SELECT u.id, COUNT(DISTINCT {month}), %s
            FROM core_orgunit u
            JOIN core_orgunit s ON s.id = u.parent_id
            JOIN targets_meeting m ON m.org_unit_id IN (u.id, s.id, s.parent_id)
            WHERE u.kind IN ('community', 'village') AND m.kind = 'joint'
              AND m.date >= %s AND m.date <= %s
            GROUP BY u.id""",
            [months, start, end],
        ),
        # Months with a publicity activity of the community or a unit below it.
        "publicity.activity_months": (
            f"""SELECT u.id, COUNT(DISTINCT {month.replace("m.date", "a.date")}), %s
            FROM core_orgunit u
            JOIN core_orgunit o ON o.path LIKE u.path || '%%'
            JOIN publicity_activity a ON a.org_unit_id = o.id
            WHERE u.kind IN ('community', 'village') AND a.date >= %s AND a.date <= %s
            GROUP BY u.id""",
            [months, start, end],
        ),
        "migrants.feedback_on_time": (
            """SELECT n.community_id, COUNT(*),
                      SUM(CASE WHEN n.feedback_on <= n.due_on THEN 1 ELSE 0 END)
            FROM migrants_notice n
            WHERE n.direction = 'received' AND n.due_on >= %s AND n.due_on <= %s
            GROUP BY n.community_id""",
            [start, last],
        ),
    }


# Figures counted in months: the months are the query's first parameter.
MONTHLY = ("targets.joint_meetings_monthly", "publicity.activity_months")


def raw_figures(
    communities: list[Any], period: Any, today: dt.date, only: str = ""
) -> dict[tuple[str, int], Decimal | None]:
    """The hand-written figures (of the one indicator ``only`` if given)."""
    from django.db import connection

    from jisheng.core.indicators import percent

    figures: dict[tuple[str, int], Decimal | None] = {}
    wanted = {unit.pk for unit in communities}
    queries = raw_queries(period, today, connection.vendor)
    with connection.cursor() as cursor:
        for key in [only] if only else queries:
            sql, params = queries[key]
            cursor.execute(sql, params)
            found = {row[0]: row for row in cursor.fetchall()}
            for unit in wanted:
                row = found.get(unit)
                if key in MONTHLY:
                    figures[(key, unit)] = percent(row[1] if row else 0, params[0])
                elif key == "contraceptives.stocktake_variance":
                    figures[(key, unit)] = (
                        percent(int(row[1] or 0), int(row[2] or 0)) if row else None
                    )
                else:
                    figures[(key, unit)] = percent(int(row[2] or 0), int(row[1])) if row else None
    return figures


def per_indicator(
    units: list[Any], period: Any, today: dt.date, runs: int
) -> dict[str, dict[str, float]]:
    """Each indicator's own medians, app and hand-written SQL: where the ratio comes from."""
    from jisheng.core import modules

    found = {}
    for key, indicator in modules.indicators().items():
        compute = indicator.compute_units
        app, _ = timed_runs(lambda compute=compute: compute(units, period), runs)
        raw, _ = timed_runs(lambda key=key: raw_figures(units, period, today, only=key), runs)
        found[key] = {
            "app_s": app["median_s"],
            "raw_sql_s": raw["median_s"],
            "ratio": app["median_s"] / raw["median_s"],
        }
        say(
            f"    {key}: app {app['median_s'] * 1000:.1f} ms, SQL {raw['median_s'] * 1000:.1f} ms,"
            f" ratio {found[key]['ratio']:.2f}"
        )
    return found


# --- the data ------------------------------------------------------------------------------


def seed_meetings(street: Any, staff: Any, today: dt.date) -> int:
    """A joint meeting on the 20th of most months since January last year (August missed)."""
    from jisheng.targets import services
    from jisheng.targets.models import MeetingKind

    day, made = dt.date(today.year - 1, 1, 20), 0
    while day <= today:
        if day.month != 8:
            services.meeting_create(
                actor=staff, kind=MeetingKind.JOINT, date=day, title=f"{day:%Y-%m} 联席会"
            )
            made += 1
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 20)
    return made


def counts() -> dict[str, int]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            found[table] = cursor.fetchone()[0]
    return found


def main() -> None:
    args = parse_args()
    home = instance_home(args)
    if args.keep:
        write_note(home, args, loaded=False)
    setup_django(args.database_url, home, env="demo")

    from django.db import connection, transaction
    from django.utils import timezone

    from jisheng.accounts.models import User
    from jisheng.benefits.demo import demo_seed as benefits_seed
    from jisheng.contraceptives.demo import demo_seed as contraceptives_seed
    from jisheng.core.actors import Actor
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
    from jisheng.migrants.demo import demo_seed as migrants_seed
    from jisheng.prepregnancy.demo import demo_seed as prepregnancy_seed
    from jisheng.publicity.demo import demo_seed as publicity_seed
    from jisheng.registry.models import Person
    from jisheng.targets.models import Meeting

    if Person.objects.exists() != bool(args.reuse):
        sys.exit(
            "targets bench: the database must be empty (a fresh one per run) or, with"
            " --reuse, hold a kept run's data"
        )
    vendor = connection.vendor
    today = timezone.localdate()
    period = last_full_quarter(today)
    say(f"targets benchmark: {args.persons:,} residents on {vendor}, quarter {period.label}")
    phases: dict[str, Any] = {}
    results: dict[str, Any] = {
        "vendor": vendor,
        "persons": args.persons,
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "today": today.isoformat(),
        "period": period.label,
        "python": sys.version.split()[0],
        "timing": f"median of {args.runs} runs",
        "phases": phases,
    }

    def phase(name: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = call()
        phases[name] = {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb()}
        say(f"  {name}: {phases[name]['seconds']:.1f}s, peak RSS {peak_rss_mb():.0f} MB")
        return value

    if args.reuse:
        street = OrgUnit.objects.get(kind="street", code=pop.STREET_CODE)
        results["meetings"] = Meeting.objects.count()
        results["reused"] = str(home)
    else:
        with transaction.atomic():
            district, street, communities = seed_org_tree()
            seed_accounts(district, street, communities)
        staff = Actor(user=User.objects.get(username="demo_street"))

        def load() -> None:
            bundles = pop.generate_population(
                args.persons, n_communities=len(communities), today=today
            )
            for batch in _batches(bundles, BUNDLES_PER_BATCH):
                with transaction.atomic():
                    _save_batch(batch, communities, today)

        phase("load_population", load)
        for name, seed in (
            ("prepregnancy_demo_seed", prepregnancy_seed),
            ("contraceptives_demo_seed", contraceptives_seed),
            ("benefits_demo_seed", benefits_seed),
            ("publicity_demo_seed", publicity_seed),
            ("migrants_demo_seed", migrants_seed),
        ):
            phase(name, lambda seed=seed: seed(street=street, today=today, rng=random.Random(2014)))
        results["meetings"] = phase("meetings", lambda: seed_meetings(street, staff, today))
    if args.keep:
        write_note(home, args, loaded=True)
        say(f"  kept in {home} (time it again with --reuse {home})")
    phase("analyze", lambda: refresh_planner_statistics(*TABLES))
    results["rows"] = counts()
    units = list(
        OrgUnit.objects.filter(parent=street, kind__in=["community", "village"]).order_by("code")
    )
    results["communities"] = len(units)

    # One untimed pass of each first, so neither side alone pays for warming the cache.
    app_figures(units, period)
    raw_figures(units, period, today)
    app_time, app = timed_runs(lambda: app_figures(units, period), args.runs)
    raw_time, raw = timed_runs(lambda: raw_figures(units, period, today), args.runs)
    results["app"] = app_time
    results["raw_sql"] = raw_time
    disagree = {
        f"{k}@{u}": [str(app[(k, u)]), str(raw[(k, u)])]
        for k, u in app
        if app[(k, u)] != raw[(k, u)]
    }
    results["figures"] = len(app)
    results["measured_figures"] = sum(1 for v in app.values() if v is not None)
    results["disagreements"] = disagree
    results["ratio_app_vs_raw"] = app_time["median_s"] / raw_time["median_s"]
    results["load_average"] = list(os.getloadavg())
    results["peak_rss_mb"] = peak_rss_mb()
    say(
        f"  {len(app)} figures ({results['measured_figures']} measured) for {len(units)}"
        f" communities: app {app_time['median_s']:.3f}s, hand-written SQL"
        f" {raw_time['median_s']:.3f}s, ratio {results['ratio_app_vs_raw']:.2f}"
    )
    results["indicators"] = per_indicator(units, period, today, args.runs)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"targets-{vendor}-{args.persons}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"  written to {out}")
    if disagree:
        sys.exit(f"targets bench: the app and the hand-written SQL disagree: {disagree}")


if __name__ == "__main__":
    main()
