"""Registry benchmark: import 1,000,000 residents through the real import path, and look them up.

Every figure is printed next to a raw baseline measured in the same run on the same
database: the same prepared rows inserted with ``sqlite3.executemany`` / psycopg ``COPY``,
and the same lookups as hand-written indexed SQL. Method: bench/README.md.

    .venv/bin/python bench/registry_bench.py --persons 1000000 [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from benchlib import peak_rss_mb, setup_django

RESULTS = Path(__file__).parent / "results"
CHUNK = 10_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; default SQLite")
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument(
        "--family",
        action="store_true",
        help="fill the family columns (households, spouses, parents); skips the lookups",
    )
    # Internal: run only the lookups, in a fresh process, on an instance this script made.
    parser.add_argument("--lookups-in", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args()


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
    }


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# --- the population, as the import file and as prepared rows ------------------------------


def demo_people(n: int) -> Iterator[object]:
    from django.utils import timezone

    from jisheng.demo.population import generate_population

    for bundle in generate_population(n, n_communities=12, today=timezone.localdate()):
        yield from bundle.persons


def demo_bundles(n: int) -> Iterator[object]:
    from django.utils import timezone

    from jisheng.demo.population import generate_population

    yield from generate_population(n, n_communities=12, today=timezone.localdate())


def family_cells(bundle: object) -> dict[int, list[str]]:
    """Person key → the family columns of a demo household: 户号, relation, spouse, father,
    mother, date of marriage, declared children."""
    ids = {p.key: p.id_number for p in bundle.persons}  # type: ignore[attr-defined]
    sexes = {p.key: p.sex for p in bundle.persons}  # type: ignore[attr-defined]
    spouse: dict[int, tuple[int, str]] = {}
    for m in bundle.marriages:  # type: ignore[attr-defined]
        spouse[m.husband_key] = (m.wife_key, m.date.isoformat())
        spouse[m.wife_key] = (m.husband_key, m.date.isoformat())
    father: dict[int, int] = {}
    mother: dict[int, int] = {}
    children: dict[int, int] = {}
    for link in bundle.parent_links:  # type: ignore[attr-defined]
        (father if sexes[link.parent_key] == "M" else mother)[link.child_key] = link.parent_key
        children[link.parent_key] = children.get(link.parent_key, 0) + 1
    number = f"H{bundle.household.key:09d}"  # type: ignore[attr-defined]
    cells = {}
    for p in bundle.persons:  # type: ignore[attr-defined]
        partner, married = spouse.get(p.key, (-1, ""))  # demo keys start at 0
        cells[p.key] = [
            number,
            p.relation_to_head,
            ids.get(partner, ""),
            ids.get(father.get(p.key, -1), ""),
            ids.get(mother.get(p.key, -1), ""),
            married,
            str(children[p.key]) if p.key in children else "",
        ]
    return cells


def person_data_of(p: object) -> object:
    from jisheng.registry.services.persons import PersonData

    return PersonData(
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        id_number=p.id_number,  # type: ignore[attr-defined]
        phone=p.phone,
        ethnicity=p.ethnicity,
        hukou_type=p.hukou_type,  # type: ignore[attr-defined]
        hukou_division=p.id_number[:6],
        is_floating=p.is_floating,  # type: ignore[attr-defined]
        address=p.address,
        marital_status=p.marital_status,  # type: ignore[attr-defined]
    )


def prepared_rows(
    n: int, communities: list[object]
) -> Iterator[tuple[list[str], list[tuple[object, ...]]]]:
    """Chunks of final column values (ciphertexts, digests, masks) for registry_person."""
    from django.db import connection

    from jisheng.registry.models import Person
    from jisheng.registry.services.persons import person_build

    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    people = demo_people(n)
    while chunk := list(islice(people, CHUNK)):
        rows = []
        for p in chunk:
            obj = person_build(person_data_of(p), community=communities[p.community_index])  # type: ignore[arg-type,attr-defined]
            rows.append(
                tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields)
            )
        yield columns, rows


def raw_baseline(n: int, communities: list[object]) -> dict[str, float]:
    """Insert the same prepared rows into an indexed copy of the table, timing only the inserts."""
    from django.db import connection

    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("DROP TABLE IF EXISTS bench_person_raw")
            cursor.execute("CREATE TABLE bench_person_raw (LIKE registry_person INCLUDING ALL)")
        else:
            cursor.execute("DROP TABLE IF EXISTS bench_person_raw")
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'registry_person'")
            cursor.execute(
                cursor.fetchone()[0].replace('"registry_person"', '"bench_person_raw"', 1)
            )
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'registry_person' AND sql IS NOT NULL"
            )
            for (sql,) in cursor.fetchall():
                name_end = sql.index(" ON ")
                cursor.execute(
                    sql[:name_end].replace('"registry_', '"bench_raw_')
                    + sql[name_end:].replace('"registry_person"', '"bench_person_raw"', 1)
                )
    seconds = 0.0
    total = 0
    raw = connection.connection  # the driver's own connection: no ORM in the timed part
    for columns, rows in prepared_rows(n, communities):
        start = time.perf_counter()
        if vendor == "postgresql":
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY bench_person_raw ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        else:
            marks = ", ".join("?" for _ in columns)
            raw.execute("BEGIN")  # one transaction per chunk, as the import does it
            raw.executemany(
                f"INSERT INTO bench_person_raw ({', '.join(columns)}) VALUES ({marks})", rows
            )
            raw.execute("COMMIT")
        seconds += time.perf_counter() - start
        total += len(rows)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_person_raw")
    return {"rows": total, "seconds": seconds, "rows_per_s": total / seconds}


# --- lookups ------------------------------------------------------------------------------


def lookups(sample: list[tuple[str, str]], user: object) -> dict[str, dict[str, float]]:
    """ID-number lookups and name searches through selectors, against raw indexed SQL."""
    from django.db import connection

    from jisheng.registry.names import name_initials
    from jisheng.registry.selectors import PersonFilters, person_list, person_search
    from jisheng.registry.services.persons import id_number_digest

    mark = "%s"
    results: dict[str, dict[str, float]] = {}

    def app_id(id_number: str) -> None:
        # What the resident list page and the API run for a search by ID number.
        found = person_search(user=user, filters=PersonFilters(id_number=id_number))  # type: ignore[arg-type]
        assert len(found) == 1

    def raw_id(digest: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, name FROM registry_person WHERE id_number_index = {mark}", [digest]
            )
            assert cursor.fetchone() is not None

    digests = [id_number_digest(id_number) for id_number, _ in sample]
    # Both read the same rows: one untimed pass first, so that neither pays alone for
    # bringing pages into the cache; then each sample in turn, in alternating order, so
    # that a change in the machine's load falls on both alike.
    for (id_number, _), digest in zip(sample, digests, strict=True):
        app_id(id_number)
        raw_id(digest)
    app_times: list[float] = []
    raw_times: list[float] = []
    for k, ((id_number, _), digest) in enumerate(zip(sample, digests, strict=True)):
        pair = [
            (app_times, lambda i=id_number: app_id(i)),
            (raw_times, lambda d=digest: raw_id(d)),
        ]
        for times, call in pair if k % 2 == 0 else pair[::-1]:
            times.append(timed(call))
    results["id_lookup_app"] = percentiles(app_times)
    results["id_lookup_raw"] = percentiles(raw_times)

    prefixes = [name[:1] for _, name in sample] + [name_initials(name)[:2] for _, name in sample]

    def app_name(prefix: str) -> None:
        list(person_list(user=user, filters=PersonFilters(name=prefix))[:50])  # type: ignore[arg-type]

    def raw_name(prefix: str) -> None:
        column = "name_initials" if prefix.isascii() else "name"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, name, id_number_masked FROM registry_person WHERE {column} LIKE {mark}"
                " ORDER BY name, id LIMIT 50",
                [prefix + "%"],
            )
            cursor.fetchall()

    results["name_search_app"] = percentiles([timed(lambda p=p: app_name(p)) for p in prefixes])
    results["name_search_raw"] = percentiles([timed(lambda p=p: raw_name(p)) for p in prefixes])
    return results


# --- the run -------------------------------------------------------------------------------


def write_import_file(
    path: Path, n: int, keep: int, *, family: bool = False
) -> list[tuple[str, str]]:
    """The population as a CSV in the import template's columns (with ``family``, the family
    columns too, filled from the demo households); returns a lookup sample."""
    from jisheng.demo.population import COMMUNITIES, STREET_CODE
    from jisheng.registry.imports.files import PERSON_HEADERS, TEMPLATE_HEADERS

    rng = random.Random(7)
    sample: list[tuple[str, str]] = []

    def people() -> Iterator[tuple[object, list[str]]]:
        for bundle in demo_bundles(n):
            cells = family_cells(bundle) if family else {}
            for p in bundle.persons:  # type: ignore[attr-defined]
                yield p, cells.get(p.key, [])

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEMPLATE_HEADERS if family else PERSON_HEADERS)
        for seen, (p, extra) in enumerate(people()):
            writer.writerow(
                [
                    p.name,
                    "男" if p.sex == "M" else "女",
                    p.birth_date.isoformat(),  # type: ignore[attr-defined]
                    p.id_number,
                    p.phone,
                    p.ethnicity,  # type: ignore[attr-defined]
                    "城镇" if p.hukou_type == "urban" else "农村",
                    p.id_number[:6],  # type: ignore[attr-defined]
                    "是" if p.is_floating else "否",
                    p.address,
                    p.marital_status,  # type: ignore[attr-defined]
                    STREET_CODE + COMMUNITIES[p.community_index].code_suffix,  # type: ignore[attr-defined]
                    *extra,
                ]
            )
            # Reservoir sampling keeps the lookup sample uniform over the whole file.
            if len(sample) < keep:
                sample.append((p.id_number, p.name))  # type: ignore[attr-defined]
            elif (slot := rng.randrange(seen + 1)) < keep:
                sample[slot] = (p.id_number, p.name)  # type: ignore[attr-defined]
    return sample


def main() -> None:
    args = parse_args()
    home = Path(tempfile.mkdtemp(prefix="jisheng-bench-"))
    setup_django(args.database_url, home, env="test")
    from django.conf import settings
    from django.core.files.uploadedfile import UploadedFile
    from django.db import connection

    from jisheng.accounts.services import role_grant, user_create
    from jisheng.core.actors import Actor
    from jisheng.core.roles import Role
    from jisheng.demo.seed import seed_org_tree
    from jisheng.registry.imports.services import person_import_run, person_import_start
    from jisheng.registry.models import Person

    settings.JISHENG_IMPORT_MAX_BYTES = 1 << 34
    settings.JISHENG_IMPORT_MAX_ROWS = max(args.persons, 1_000_000)
    vendor = connection.vendor
    variant = "registry-family" if args.family else "registry"
    print(f"{variant} benchmark: {args.persons:,} residents on {vendor}", flush=True)
    _district, street, communities = seed_org_tree()
    user = user_create(actor=None, username="bench", password="Bench-pass-2026!", org_unit=street)
    role_grant(actor=None, user=user, role=Role.STREET_STAFF)
    actor = Actor(user=user, ip="127.0.0.1")

    source = home / "residents.csv"
    start = time.perf_counter()
    sample = write_import_file(source, args.persons, args.lookups, family=args.family)
    print(
        f"  wrote the import file in {time.perf_counter() - start:.1f}s "
        f"({source.stat().st_size / 1e6:.0f} MB)",
        flush=True,
    )

    with source.open("rb") as handle:
        upload = UploadedFile(handle, name="residents.csv", size=source.stat().st_size)
        # Rows name their own community; the import's community is only the default.
        queued = person_import_start(actor=actor, upload=upload, community=communities[0])
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    done = person_import_run(import_id=queued.pk, ip=actor.ip)
    import_seconds = time.perf_counter() - start
    assert done.state == "done", (done.state, done.message, done.error_rows[:3])
    assert Person.objects.count() == args.persons
    if args.family:
        from jisheng.registry.models import Household, HouseholdMember, Marriage, ParentLink

        print(f"  {done.message}", flush=True)
        assert HouseholdMember.objects.count() == args.persons
        families = {
            "households": Household.objects.count(),
            "marriages": Marriage.objects.count(),
            "parent_links": ParentLink.objects.count(),
        }
    app = {
        "rows": args.persons,
        "seconds": import_seconds,
        "rows_per_s": args.persons / import_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_before_import_mb": rss_before,
    }
    print(
        f"  import (validate + encrypt + load): {app['rows_per_s']:,.0f} rows/s, "
        f"peak RSS {app['peak_rss_mb']:.0f} MB",
        flush=True,
    )

    raw = raw_baseline(args.persons, communities)
    print(
        f"  raw baseline ({'COPY' if vendor == 'postgresql' else 'executemany'}): "
        f"{raw['rows_per_s']:,.0f} rows/s",
        flush=True,
    )

    if args.family:
        write_family_results(args, vendor, app, raw, families)
        return
    found = lookups_in_fresh_process(home, args.database_url, sample)
    results = {
        "vendor": vendor,
        "persons": args.persons,
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "python": sys.version.split()[0],
        "import": app,
        "raw_insert": raw,
        "lookups": found,
        "ratios": {
            "import_vs_raw": app["rows_per_s"] / raw["rows_per_s"],
            "id_lookup_p50_vs_raw": found["id_lookup_app"]["p50_ms"]
            / found["id_lookup_raw"]["p50_ms"],
            "name_search_p95_vs_raw": found["name_search_app"]["p95_ms"]
            / found["name_search_raw"]["p95_ms"],
        },
    }
    for key, value in found.items():
        print(f"  {key:<16} p50 {value['p50_ms']:7.2f} ms   p95 {value['p95_ms']:7.2f} ms")
    for key, value in results["ratios"].items():
        print(f"  ratio {key:<24} {value:6.2f}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"registry-{vendor}-{args.persons}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"  written to {out}")


def write_family_results(
    args: argparse.Namespace,
    vendor: str,
    app: dict[str, float],
    raw: dict[str, float],
    families: dict[str, int],
) -> None:
    ratio = app["rows_per_s"] / raw["rows_per_s"]
    results = {
        "vendor": vendor,
        "persons": args.persons,
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "python": sys.version.split()[0],
        "import": app,
        "families": families,
        "raw_insert": raw,
        "ratios": {"import_vs_raw": ratio},
    }
    print(f"  ratio import_vs_raw {ratio:6.2f} (target >= 0.40)")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"registry-family-{vendor}-{args.persons}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"  written to {out}")


def lookups_in_fresh_process(
    home: Path, database_url: str, sample: list[tuple[str, str]]
) -> dict[str, dict[str, float]]:
    """The lookups timed in a new process on this instance, as a web worker would serve them.

    Not in this process: after a million-row import its heap makes every allocation a
    little slower, which weighs on the app's lookup (it builds objects) more than on the
    raw one, and no worker serving pages has just run an import.
    """
    exchange = home / "lookups.json"
    exchange.write_text(json.dumps({"sample": sample}), encoding="utf-8")
    command = [sys.executable, __file__, "--lookups-in", str(home)]
    if database_url:
        command += ["--database-url", database_url]
    subprocess.run(command, check=True)  # noqa: S603 - this script, with our own arguments
    found: dict[str, dict[str, float]] = json.loads(exchange.read_text(encoding="utf-8"))["found"]
    return found


def lookups_only(home: Path, database_url: str) -> None:
    setup_django(database_url, home, env="test", migrate=False)
    from jisheng.accounts.models import User

    exchange = home / "lookups.json"
    sample = [tuple(pair) for pair in json.loads(exchange.read_text(encoding="utf-8"))["sample"]]
    found = lookups(sample, User.objects.get(username="bench"))  # type: ignore[arg-type]
    exchange.write_text(json.dumps({"found": found}), encoding="utf-8")


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.lookups_in is not None:
        lookups_only(arguments.lookups_in, arguments.database_url)
    else:
        main()
