"""Benefits benchmark: "find eligible" over 1,000,000 residents, a batch for 100,000 beneficiaries.

Every figure is printed next to a baseline measured in the same run on the same database:
the rural reward-support rule as one hand-written SQL query (which must return the same
residents), and the batch's lines inserted raw with ``sqlite3.executemany`` / psycopg ``COPY``.
Method: bench/README.md.

    .venv/bin/python bench/benefits_bench.py --persons 1000000 [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchlib import peak_rss_mb, setup_django

RESULTS = Path(__file__).parent / "results"
PROGRAM = "rural-reward-support"  # find eligible
BATCH_PROGRAM = "only-child-parents"  # the payment batch: enough beneficiaries at 1,000,000
CHUNK = 10_000
TABLES = (
    "registry_person",
    "registry_parentlink",
    "registry_marriage",
    "registry_lifeevent",
    "benefits_entitlement",
    "benefits_application",
    "benefits_payment",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; default SQLite")
    parser.add_argument("--beneficiaries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (median)")
    parser.add_argument("--period", default="", help="batch period; default this year")
    parser.add_argument("--as-of", default="", help="find-eligible date; default Dec 31 last year")
    parser.add_argument("--skip-variants", action="store_true", help="no variant queries")
    return parser.parse_args()


def say(text: str) -> None:
    print(text, flush=True)


def timed_runs(call: Callable[[], Any], runs: int) -> tuple[dict[str, Any], Any]:
    """Median (and all runs) of ``runs`` calls; returns the timings and the last result."""
    seconds = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
    return {"median_s": statistics.median(seconds), "runs_s": seconds}, result


# --- the population ------------------------------------------------------------------------


def load_population(n: int, communities: list[Any], today: dt.date) -> None:
    """The demo generator's households, marriages and parent links, saved as seed_demo does."""
    from django.db import transaction

    from jisheng.demo import population as pop
    from jisheng.demo.seed import BUNDLES_PER_BATCH, _batches, _save_batch

    done, shown = 0, 0
    bundles = pop.generate_population(n, n_communities=len(communities), today=today)
    for batch in _batches(bundles, BUNDLES_PER_BATCH):
        with transaction.atomic():
            done += _save_batch(batch, communities, today)
        if done - shown >= 100_000:
            shown = done
            say(f"    {done:,} residents saved")


def add_deaths_and_moves(today: dt.date, as_of: dt.date) -> dict[str, int]:
    """Deaths and move-outs over the last three years, as events, since the generator has none.

    Some fall after ``as_of`` (then the person still counts as living there on that day), and a
    few deceased persons also carry a wrongly entered later death that a correction reversed,
    so every branch of the "living here" and "living children" facts is exercised.
    """
    from django.db import transaction

    from jisheng.registry.models import LifeEvent, Person, ResidentStatus

    rng = random.Random(2026)
    sixty = today.replace(year=today.year - 60)
    three_years = 3 * 365
    deaths: list[tuple[int, int, dt.date]] = []
    moves: list[tuple[int, int, dt.date]] = []
    rows = Person.objects.order_by("pk").values_list("pk", "birth_date", "community_id")
    for pk, birth, community_id in rows.iterator(chunk_size=CHUNK):
        draw = rng.random()
        death_share = 0.04 if birth <= sixty else 0.005
        if draw < death_share or draw > 0.985:
            day = today - dt.timedelta(days=rng.randrange(three_years))
            if day > birth:
                (deaths if draw < death_share else moves).append((pk, community_id, day))
    wrong = [row for row in deaths if rng.random() < 0.03]
    with transaction.atomic():
        changes = ((ResidentStatus.DECEASED, deaths), (ResidentStatus.MOVED_OUT, moves))
        for status, chosen in changes:
            ids = [pk for pk, _c, _d in chosen]
            for start in range(0, len(ids), 5000):
                Person.objects.filter(pk__in=ids[start : start + 5000]).update(status=status)
        events = [
            LifeEvent(kind=LifeEvent.Kind.DEATH, person_id=pk, community_id=c, date=day)
            for pk, c, day in deaths
        ] + [
            LifeEvent(kind=LifeEvent.Kind.MOVE_OUT, person_id=pk, community_id=c, date=day)
            for pk, c, day in moves
        ]
        LifeEvent.objects.bulk_create(events, batch_size=2000)
        # A death entered with a wrong later date, then reversed by a correction.
        mistakes = LifeEvent.objects.bulk_create(
            [
                LifeEvent(
                    kind=LifeEvent.Kind.DEATH,
                    person_id=pk,
                    community_id=c,
                    date=max(day, as_of) + dt.timedelta(days=1 + rng.randrange(200)),
                )
                for pk, c, day in wrong
            ],
            batch_size=2000,
        )
        LifeEvent.objects.bulk_create(
            [
                LifeEvent(
                    kind=LifeEvent.Kind.CORRECTION,
                    person_id=m.person_id,
                    community_id=m.community_id,
                    date=m.date,
                    reverses=m,
                )
                for m in mistakes
            ],
            batch_size=2000,
        )
    after = sum(1 for _pk, _c, day in deaths + moves if day > as_of)
    return {
        "deaths": len(deaths),
        "moves_out": len(moves),
        "events_after_as_of": after,
        "reversed_wrong_deaths": len(wrong),
    }


def analyze() -> float:
    from jisheng.core.db import refresh_planner_statistics

    start = time.perf_counter()
    refresh_planner_statistics(*TABLES)
    return time.perf_counter() - start


# --- find eligible: the app path and one hand-written query --------------------------------

RAW_ELIGIBLE = """
SELECT k.parent_id FROM (
    SELECT l.parent_id, c.sex,
           CASE WHEN c.status = 'deceased' AND NOT EXISTS (
                    SELECT 1 FROM registry_lifeevent e
                    WHERE e.person_id = c.id AND e.kind = 'death' AND e.date > {as_of}
                      AND NOT EXISTS (SELECT 1 FROM registry_lifeevent r
                                      WHERE r.reverses_id = e.id))
                THEN 0 ELSE 1 END AS alive
    FROM registry_person p
    JOIN registry_parentlink l ON l.parent_id = p.id
    JOIN registry_person c ON c.id = l.child_id
    WHERE p.community_id IN ({communities})
      AND p.birth_date <= {cutoff}
      AND p.hukou_type = 'rural'
      AND (p.status = 'living' OR (p.status IN ('moved_out', 'deceased') AND EXISTS (
              SELECT 1 FROM registry_lifeevent e
              WHERE e.person_id = p.id AND e.kind IN ('death', 'move_out') AND e.date > {as_of}
                AND NOT EXISTS (SELECT 1 FROM registry_lifeevent r WHERE r.reverses_id = e.id))))
      AND c.birth_date <= {as_of} AND c.status <> 'voided'
      AND p.id NOT IN (SELECT person_id FROM benefits_entitlement
                       WHERE program_id = {program} AND status = 'active')
      AND p.id NOT IN (SELECT person_id FROM benefits_application
                       WHERE program_id = {program} AND state IN ({open_states}))
) k
GROUP BY k.parent_id
HAVING SUM(k.alive) <= 1
    OR (SUM(k.alive) = 2 AND SUM(CASE WHEN k.sex = 'M' THEN k.alive ELSE 0 END) = 0)
"""


def raw_eligible_sql(user: Any, program: Any, as_of: dt.date) -> tuple[str, list[Any]]:
    """The rule of rural-reward-support as a person would write it: one join, grouped."""
    from jisheng.benefits.eligibility.dates import born_by_for_age
    from jisheng.benefits.models.workflow import OPEN_STATES

    units = user.scope_unit_ids()
    # Named placeholders would differ by driver; the values are ours, so they are inlined
    # except the dates, which go as parameters in the order they appear.
    sql = RAW_ELIGIBLE.format(
        as_of="%s",
        cutoff="%s",
        communities=", ".join(str(int(u)) for u in units),
        program=int(program.pk),
        open_states=", ".join(f"'{state}'" for state in OPEN_STATES),
    )
    cutoff = born_by_for_age(as_of, 60, "years")
    params: list[Any] = []
    for mark in _placeholders(RAW_ELIGIBLE):
        params.append(as_of if mark == "as_of" else cutoff)
    return sql, params


def _placeholders(template: str) -> Iterator[str]:
    for part in template.split("{")[1:]:
        name = part.split("}", 1)[0]
        if name in {"as_of", "cutoff"}:
            yield name


def run_sql(sql: str, params: list[Any]) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def explain(sql: str, params: list[Any]) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    rows = run_sql(prefix + sql, params)
    return [" ".join(str(col) for col in row) for row in rows]


def compare_ids(app_ids: set[int], raw_ids: set[int]) -> dict[str, Any]:
    only_app, only_raw = sorted(app_ids - raw_ids), sorted(raw_ids - app_ids)
    return {
        "app": len(app_ids),
        "raw": len(raw_ids),
        "equal": not only_app and not only_raw,
        "only_app_sample": only_app[:10],
        "only_raw_sample": only_raw[:10],
    }


def find_eligible(user: Any, program: Any, as_of: dt.date, runs: int) -> dict[str, Any]:
    from jisheng.benefits.selectors import eligible_persons

    def app() -> Any:
        return eligible_persons(user=user, program=program, as_of=as_of)

    raw_sql, params = raw_eligible_sql(user, program, as_of)
    result: dict[str, Any] = {"as_of": as_of.isoformat()}
    result["app_count"], app_count = timed_runs(lambda: app().count(), runs)
    say(f"    app count: {app_count:,} in {result['app_count']['median_s']:.2f}s")
    result["app_ids"], app_ids = timed_runs(lambda: list(app().values_list("pk", flat=True)), runs)
    say(f"    app ids:   {len(app_ids):,} in {result['app_ids']['median_s']:.2f}s")
    count_sql = f"SELECT COUNT(*) FROM ({raw_sql}) AS eligible"
    result["raw_count"], raw_count = timed_runs(lambda: run_sql(count_sql, params)[0][0], runs)
    say(f"    raw count: {raw_count:,} in {result['raw_count']['median_s']:.2f}s")
    result["raw_ids"], raw_rows = timed_runs(lambda: run_sql(raw_sql, params), runs)
    say(f"    raw ids:   {len(raw_rows):,} in {result['raw_ids']['median_s']:.2f}s")
    result["agreement"] = compare_ids(set(app_ids), {row[0] for row in raw_rows})
    result["agreement"]["counts_equal"] = app_count == raw_count == len(app_ids)
    query = app().values_list("pk", flat=True).query
    app_sql, app_params = query.sql_with_params()
    result["sql"] = {"app": str(query), "raw": raw_sql}
    result["plans"] = {"app": explain(app_sql, list(app_params)), "raw": explain(raw_sql, params)}
    return result


# --- variants: the same rule evaluated differently, to measure what a change would buy ------


def eligible_variants(
    user: Any, program: Any, as_of: dt.date, expected: set[int], runs: int
) -> dict[str, Any]:
    """The rule's residents without the page's join to communities and ordering."""
    from jisheng.benefits.eligibility import persons_meeting
    from jisheng.benefits.models import Application, Entitlement
    from jisheng.benefits.models.workflow import OPEN_STATES
    from jisheng.registry.models import Person

    def ids() -> list[int]:
        enrolled = Entitlement.objects.filter(program=program, status="active")
        applying = Application.objects.filter(program=program, state__in=OPEN_STATES)
        people = (
            Person.objects.visible_to(user)
            .exclude(pk__in=enrolled.values("person_id"))
            .exclude(pk__in=applying.values("person_id"))
        )
        return list(persons_meeting(program.rule, as_of, people).values_list("pk", flat=True))

    timing, value = timed_runs(ids, runs)
    timing["same_result"] = set(value) == expected
    say(f"    rule ids alone: {timing['median_s']:.2f}s (same result: {timing['same_result']})")
    return {"rule_ids_alone": timing}


# --- the payment batch --------------------------------------------------------------------


def create_entitlements(program: Any, n: int, period_end: dt.date) -> dict[str, Any]:
    """``n`` active entitlements, written directly (not timed): residents who meet the
    program's rule at the end of the period first, then others if there are too few."""
    from jisheng.benefits.eligibility import persons_meeting
    from jisheng.benefits.models import Entitlement
    from jisheng.registry.models import Person

    taken = set(
        Entitlement.objects.filter(program=program, status="active").values_list(
            "person_id", flat=True
        )
    )
    rng = random.Random(960)
    meeting = persons_meeting(program.rule, period_end, Person.objects.all())

    def candidates(people: Any) -> list[tuple[int, int]]:
        rows = people.order_by("pk").values_list("pk", "community_id")
        return [row for row in rows.iterator(chunk_size=CHUNK) if row[0] not in taken]

    eligible = candidates(Person.objects.filter(pk__in=meeting))
    chosen = rng.sample(eligible, min(n, len(eligible)))
    if len(chosen) < n:
        others = candidates(Person.objects.exclude(pk__in=meeting))
        chosen += rng.sample(others, min(n - len(chosen), len(others)))
    start = dt.date(2020, 1, 1)
    Entitlement.objects.bulk_create(
        [
            Entitlement(program=program, person_id=pk, community_id=c, start_date=start)
            for pk, c in chosen
        ],
        batch_size=2000,
    )
    return {"entitlements": len(chosen), "meeting_the_rule": min(n, len(eligible))}


def drop_batch(batch_id: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM benefits_payment WHERE batch_id = %s", [batch_id])
        cursor.execute("DELETE FROM benefits_paymentbatch WHERE id = %s", [batch_id])


def build_batches(
    actor: Any, program: Any, period: str, runs: int, *, keep: bool
) -> tuple[dict[str, Any], int]:
    """``batch_build`` ``runs`` times, each committed; deleted again (untimed) except the last
    when ``keep``. Returns the timings and the id of the last batch."""
    from jisheng.benefits.services.payments import batch_build

    seconds: list[float] = []
    batch = None
    for run in range(runs):
        start = time.perf_counter()
        batch = batch_build(actor=actor, program=program, period_key=period)
        seconds.append(time.perf_counter() - start)
        say(f"      run {run + 1}: {seconds[-1]:.2f}s, {_lines(batch.pk):,} lines")
        if run < runs - 1 or not keep:
            drop_batch(batch.pk)
    assert batch is not None
    return {"median_s": statistics.median(seconds), "runs_s": seconds}, batch.pk


def eligibility_queries(actor: Any, program: Any, period: str, runs: int) -> dict[str, Any]:
    """The builder's eligibility query alone (``_month_codes``), and the same codes from one
    query per month end."""
    from django.db.models import Q
    from django.utils import timezone

    from jisheng.benefits.amounts import period_for
    from jisheng.benefits.eligibility import persons_meeting
    from jisheng.benefits.models import Entitlement
    from jisheng.benefits.services.payments import _as_of_dates, _month_codes
    from jisheng.registry.models import Person

    today = timezone.localdate()
    span = period_for(program, period, today=today)
    entitled = (
        Entitlement.objects.visible_to(actor.user)
        .filter(program=program, start_date__lte=span.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=span.start))
    )
    dates = _as_of_dates(program, span, today)
    # The variants below assume no validity limits and no amount tiers (true of this program).
    assert dt.date.min not in dates
    assert not program.amount_tiers

    def people() -> Any:
        return Person.objects.filter(pk__in=entitled.values("person_id"))

    def per_month(eligible_on: Callable[[dt.date], Any]) -> dict[int, list[int]]:
        """One query per month end, each returning who is eligible that day."""
        codes = {pk: [-1] * len(dates) for pk in people().values_list("pk", flat=True)}
        for index, day in enumerate(dates):
            for pk in eligible_on(day):
                codes[pk][index] = 0
        return codes

    calls: dict[str, Callable[[], dict[int, list[int]]]] = {
        "app_month_codes": lambda: _month_codes(program, entitled, dates),
        "per_month": lambda: per_month(
            lambda day: persons_meeting(program.rule, day, people()).values_list("pk", flat=True)
        ),
    }
    found: dict[str, Any] = {}
    expected: dict[int, list[int]] | None = None
    for name, call in calls.items():
        timing, codes = timed_runs(call, runs)
        expected = codes if expected is None else expected
        timing["same_codes"] = codes == expected
        timing["persons"] = len(codes)
        timing["eligible_person_months"] = sum(c >= 0 for row in codes.values() for c in row)
        found[name] = timing
        say(f"    {name}: {timing['median_s']:.2f}s (same codes: {timing['same_codes']})")
    found["month_ends"] = len(dates)
    return found


def copy_payment_table(*, foreign_keys: bool) -> None:
    """An empty copy of benefits_payment with the same indexes (and foreign keys if asked:
    SQLite's copy always declares them, and the insert turns their checking on or off)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_payment_raw")
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TABLE bench_payment_raw (LIKE benefits_payment INCLUDING ALL)")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'benefits_payment'::regclass AND contype = 'f'"
            )
            for name, definition in cursor.fetchall() if foreign_keys else []:
                cursor.execute(
                    f"ALTER TABLE bench_payment_raw ADD CONSTRAINT bench_{name} {definition}"
                )
            return
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'benefits_payment'")
        cursor.execute(cursor.fetchone()[0].replace('"benefits_payment"', '"bench_payment_raw"', 1))
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name = 'benefits_payment' AND sql IS NOT NULL"
        )
        for (sql,) in cursor.fetchall():
            name_end = sql.index(" ON ")
            cursor.execute(
                sql[:name_end].replace('"benefits_', '"bench_raw_')
                + sql[name_end:].replace('"benefits_payment"', '"bench_payment_raw"', 1)
            )


def batch_rows(batch_id: int, *, every_beneficiary: bool) -> list[tuple[Any, ...]]:
    """The batch's lines as stored; or one line per beneficiary, as if all had been eligible."""
    from django.db import connection

    from jisheng.benefits.services.payments import _LINE_COLUMNS

    with connection.cursor() as cursor:
        if not every_beneficiary:
            cursor.execute(
                f"SELECT {', '.join(_LINE_COLUMNS)} FROM benefits_payment"
                " WHERE batch_id = %s ORDER BY id",
                [batch_id],
            )
            return cursor.fetchall()
        cursor.execute(
            "SELECT b.id, b.program_id, b.period, e.id, e.person_id,"
            " COALESCE(e.payee_id, e.person_id), e.community_id, 'payment', 12, p.amount,"
            " 'pending', ''"
            " FROM benefits_paymentbatch b"
            " JOIN benefits_program p ON p.id = b.program_id"
            " JOIN benefits_entitlement e ON e.program_id = b.program_id AND e.status = 'active'"
            " WHERE b.id = %s ORDER BY e.id",
            [batch_id],
        )
        return cursor.fetchall()


def raw_batch_insert(
    rows: list[tuple[Any, ...]], runs: int, *, foreign_keys: bool
) -> dict[str, Any]:
    """Prepared line values inserted into an empty indexed copy of the table, one transaction."""
    from django.db import connection

    from jisheng.benefits.services.payments import _LINE_COLUMNS

    columns = ", ".join(_LINE_COLUMNS)
    vendor = connection.vendor
    seconds = []
    for _run in range(runs):
        copy_payment_table(foreign_keys=foreign_keys)
        raw = connection.connection  # the driver's own connection: no ORM in the timed part
        start = time.perf_counter()
        if vendor == "postgresql":
            with raw.cursor() as cur:
                for first in range(0, len(rows), CHUNK):
                    with cur.copy(f"COPY bench_payment_raw ({columns}) FROM STDIN") as copy:
                        for row in rows[first : first + CHUNK]:
                            copy.write_row(row)
            raw.commit()
        else:
            marks = ", ".join("?" for _ in _LINE_COLUMNS)
            raw.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
            raw.execute("BEGIN")  # one transaction, as batch_build is
            for first in range(0, len(rows), CHUNK):
                raw.executemany(
                    f"INSERT INTO bench_payment_raw ({columns}) VALUES ({marks})",
                    rows[first : first + CHUNK],
                )
            raw.execute("COMMIT")
            raw.execute("PRAGMA foreign_keys = ON")  # Django's setting
        seconds.append(time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_payment_raw")
    return {"rows": len(rows), "median_s": statistics.median(seconds), "runs_s": seconds}


# --- the run -------------------------------------------------------------------------------


def database_info() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            info: dict[str, Any] = {}
            cursor.execute("SELECT version()")
            info["version"] = cursor.fetchone()[0]
            settings = ("shared_buffers", "work_mem", "fsync", "jit", "jit_above_cost")
            for name in (*settings, "jit_inline_above_cost", "jit_optimize_above_cost"):
                cursor.execute(f"SHOW {name}")
                info[name] = cursor.fetchone()[0]
            return info
        cursor.execute("SELECT sqlite_version()")
        return {"version": cursor.fetchone()[0]}


def main() -> None:
    args = parse_args()
    home = Path(tempfile.mkdtemp(prefix="jisheng-benefits-bench-"))
    setup_django(args.database_url, home, env="demo")
    from django.db import connection, transaction
    from django.utils import timezone

    from jisheng.accounts.models import User
    from jisheng.benefits.amounts import period_for
    from jisheng.benefits.demo import demo_seed as benefits_demo_seed
    from jisheng.benefits.models import Program
    from jisheng.core.actors import Actor
    from jisheng.demo.seed import seed_accounts, seed_org_tree
    from jisheng.registry.models import Person

    if Person.objects.exists():
        sys.exit("benefits bench: the database must be empty (a fresh one per run)")
    vendor = connection.vendor
    today = timezone.localdate()
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date(today.year - 1, 12, 31)
    period = args.period or str(today.year)
    say(f"benefits benchmark: {args.persons:,} residents on {vendor}, median of {args.runs} runs")
    phases: dict[str, Any] = {}
    results: dict[str, Any] = {
        "vendor": vendor,
        "database": database_info(),
        "persons": args.persons,
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "today": today.isoformat(),
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

    def write() -> Path:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"benefits-{vendor}-{args.persons}.json"
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return out

    with transaction.atomic():
        district, street, communities = seed_org_tree()
        seed_accounts(district, street, communities)
    staff = User.objects.get(username="demo_street")
    actor = Actor(user=staff, ip="127.0.0.1")
    program = Program.objects.get(code=PROGRAM)

    phase("load_population", lambda: load_population(args.persons, communities, today))
    results["life_events"] = phase("deaths_and_moves", lambda: add_deaths_and_moves(today, as_of))
    phase("analyze", analyze)
    phase(
        "benefits_demo_seed",
        lambda: benefits_demo_seed(street=street, today=today, rng=random.Random(2014)),
    )
    phase("analyze_again", analyze)

    say(f"  find eligible ({PROGRAM}, as of {as_of}):")
    found = phase("find_eligible", lambda: find_eligible(staff, program, as_of, args.runs))
    results["find_eligible"] = found
    agreement = found["agreement"]
    if not (agreement["equal"] and agreement["counts_equal"]):
        write()
        sys.exit(f"benefits bench: the app and the hand-written SQL disagree: {agreement}")
    say(f"    same {agreement['app']:,} residents from both")
    if not args.skip_variants:
        expected = {row[0] for row in run_sql(*raw_eligible_sql(staff, program, as_of))}
        results["find_eligible_variants"] = phase(
            "find_eligible_variants",
            lambda: eligible_variants(staff, program, as_of, expected, args.runs),
        )

    say(f"  payment batch ({BATCH_PROGRAM}, period {period}):")
    batch_program = Program.objects.get(code=BATCH_PROGRAM)
    period_end = period_for(batch_program, period, today=today).end
    results["batch_program"] = BATCH_PROGRAM
    results["entitlements"] = phase(
        "create_entitlements",
        lambda: create_entitlements(batch_program, args.beneficiaries, period_end),
    )
    phase("analyze_entitlements", analyze)
    say("    batch_build:")
    start = time.perf_counter()
    build, batch_id = build_batches(actor, batch_program, period, args.runs, keep=True)
    phases["batch_build"] = {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb()}
    build["lines"] = _lines(batch_id)
    results["batch_build"] = build
    if not args.skip_variants:
        results["batch_eligibility"] = phase(
            "batch_eligibility",
            lambda: eligibility_queries(actor, batch_program, period, args.runs),
        )
    lines = batch_rows(batch_id, every_beneficiary=False)
    every = batch_rows(batch_id, every_beneficiary=True)
    baselines = {
        "lines": (lines, False),
        "lines_with_foreign_keys": (lines, True),
        "every_beneficiary": (every, False),
        "every_beneficiary_with_foreign_keys": (every, True),
    }
    raw: dict[str, Any] = {}
    for name, (rows, foreign_keys) in baselines.items():
        raw[name] = phase(
            f"raw_insert_{name}",
            lambda rows=rows, fk=foreign_keys: raw_batch_insert(rows, args.runs, foreign_keys=fk),
        )
    results["raw_insert"] = raw
    method = "COPY" if vendor == "postgresql" else "executemany"
    say(f"    batch_build: {build['lines']:,} lines in {build['median_s']:.2f}s")
    for name, value in raw.items():
        say(f"    raw {method}, {name}: {value['rows']:,} rows in {value['median_s']:.3f}s")

    ratios = {
        "find_eligible_count_vs_raw": found["app_count"]["median_s"]
        / found["raw_count"]["median_s"],
        "find_eligible_ids_vs_raw": found["app_ids"]["median_s"] / found["raw_ids"]["median_s"],
    } | {f"batch_build_vs_raw_{name}": build["median_s"] / raw[name]["median_s"] for name in raw}
    results["ratios"] = ratios
    results["peak_rss_mb"] = peak_rss_mb()
    for key, value in ratios.items():
        say(f"  ratio {key:<56} {value:7.2f}")
    say(f"  written to {write()}")


def _lines(batch_id: int) -> int:
    from jisheng.benefits.models import Payment

    return Payment.objects.filter(batch_id=batch_id).count()


if __name__ == "__main__":
    main()
