"""Audit chain: the cost of chaining on each write, and `audit verify` over a large trail.

    .venv/bin/python bench/audit_bench.py --entries 1000000 [--database-url postgres://…]

On a fresh instance folder (SQLite) or the given PostgreSQL database: times N single
``record()`` calls against the same inserts without the chain, checks that concurrent
writer processes leave one unforked chain, bulk-creates a chained trail of ``--entries``
(a one-off fill, not the app's path) and times ``chain_verify`` over it with peak memory.
Afterwards the trail is released and emptied as a purge would, so the database is reusable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import peak_rss_mb, setup_django


def _writer(database_url: str, home: str, count: int) -> None:
    setup_django(database_url, Path(home), env="test", migrate=False)
    from jisheng.audit import services as audit

    for i in range(count):
        audit.record(action="view", username="concurrent", detail={"i": i})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="jisheng-audit-bench-")
    setup_django(args.database_url, Path(home), env="test")
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from jisheng.audit import services as audit
    from jisheng.audit.chain import HASHED_FIELDS, chain_verify, entry_hash
    from jisheng.audit.models import AuditChain, AuditEvent

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_chain SET anchor_seq = "
                "(SELECT COALESCE(MAX(seq), 0) FROM audit_auditevent)"
            )
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute("DELETE FROM audit_chain")

    print(f"database: {connection.vendor}")
    empty()
    fields = {"action": "view", "username": "bench", "ip": "10.0.0.1", "detail": {"n": 1}}
    started = time.perf_counter()
    for _ in range(args.writes):
        audit.record(**fields)  # type: ignore[arg-type]
    chained = (time.perf_counter() - started) / args.writes * 1000
    started = time.perf_counter()
    for i in range(args.writes):
        with transaction.atomic():  # the insert record() did before the chain
            AuditEvent.objects.create(
                at=timezone.now(), seq=10_000_000 + i, prev_hash="", chain_hash="", **fields
            )
    plain = (time.perf_counter() - started) / args.writes * 1000
    print(f"record(): {chained:.2f} ms with the chain, {plain:.2f} ms plain insert")
    empty()

    connections.close_all()  # a forked child must not share the parent's connection
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(target=_writer, args=(args.database_url, home, 300)) for _ in range(4)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    report = chain_verify()
    print(
        f"4 writer processes x 300: {time.perf_counter() - started:.1f} s, "
        f"seq 1..{len(seqs)} contiguous: {seqs == list(range(1, 1201))}, "
        f"verify: {report.broken or 'intact'}"
    )
    empty()

    started = time.perf_counter()
    previous, batch = "", []
    at = timezone.now() - dt.timedelta(days=30)
    for seq in range(1, args.entries + 1):
        values = {
            "seq": seq,
            "prev_hash": previous,
            "at": at + dt.timedelta(seconds=seq),
            "user_id": seq % 500,
            "username": f"user{seq % 500}",
            "roles": "community_worker",
            "ip": "10.0.0.1",
            "action": "view",
            "object_type": "registry.person",
            "object_id": str(seq),
            "result": "success",
            "detail": {"fields": ["id_number"], "n": seq},
        }
        previous = entry_hash(values)
        batch.append(AuditEvent(**{k: values[k] for k in HASHED_FIELDS}, chain_hash=previous))
        if len(batch) == 10_000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    AuditChain.objects.create(pk=1, seq=args.entries, chain_hash=previous)
    print(f"filled {args.entries} entries in {time.perf_counter() - started:.0f} s")

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    report = chain_verify()
    seconds = time.perf_counter() - started
    print(
        f"verify: {report.checked} entries in {seconds:.1f} s "
        f"({report.checked / seconds:,.0f}/s), broken: {report.broken}, "
        f"peak RSS {rss_before:.0f} MB before, {peak_rss_mb():.0f} MB after"
    )
    empty()


if __name__ == "__main__":
    main()
