"""Exchange benchmark: N notices from instance A to instance B over loopback, delivered and
applied exactly once, against N bare HTTP round trips between the same two processes.

Two real instances (``tests/support/exchange_instances.py``: `jisheng serve` each, own
instance folder and database). A queues N notices through the records hook (setup, not
timed); then A's outbox drain (what the worker runs) sends them, one signed request each;
B verifies and applies each in its inbox transaction. The bare round trip is a GET of B's
``/api/exchange/peer/ping`` from the same driver process with the same HTTP client.

    .venv/bin/python bench/exchange_bench.py --notices 10000 [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.exchange_instances import drop_pair, start_pair  # noqa: E402


def say(text: str) -> None:
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; default SQLite")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    engine = "postgresql" if args.database_url else "sqlite"
    n = args.notices
    with tempfile.TemporaryDirectory(prefix="exchange-bench-") as base:
        say(f"starting two instances ({engine}) …")
        a, b = start_pair(Path(base), tag="bench")
        try:
            started = time.perf_counter()
            a.call("bulk_records", n, b.region, a.info["community"])
            say(f"  queued {n} notices in {time.perf_counter() - started:.1f}s (not timed)")
            # The machine is shared: the load beside the figures says what they are worth.
            load_before = os.getloadavg()
            drained = a.call("timed_drain")
            pings = a.call("timed_pings", b.url, n)
            load_after = os.getloadavg()
            outbox = a.call("outbox")
            counts = b.call("notice_counts")
        finally:
            drop_pair(a, b)
    exactly_once = (
        drained["delivered"] == n
        and outbox["delivered"] == n
        and counts["received"] == n
        and counts["distinct"] == n
        and counts["inbox"] == n
    )
    messages_per_s = n / drained["seconds"]
    pings_per_s = n / pings["seconds"]
    results = {
        "engine": engine,
        "notices": n,
        "drain_seconds": round(drained["seconds"], 2),
        "messages_per_s": round(messages_per_s, 1),
        "bare_round_trips_seconds": round(pings["seconds"], 2),
        "bare_round_trips_per_s": round(pings_per_s, 1),
        "ratio_messages_vs_bare": round(messages_per_s / pings_per_s, 3),
        "received_by_b": counts["received"],
        "distinct_applied": counts["distinct"],
        "inbox_rows": counts["inbox"],
        "outbox": outbox,
        "exactly_once": exactly_once,
        "server_workers": 2,
        "cpu_count": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    say(
        f"  {n} notices in {drained['seconds']:.1f}s = {messages_per_s:.0f} msg/s; "
        f"{n} bare round trips {pings['seconds']:.1f}s = {pings_per_s:.0f}/s; "
        f"ratio {results['ratio_messages_vs_bare']:.2f}; exactly once: {exactly_once}"
    )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"exchange-{engine}-{n}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"  → {out}")
    if not exactly_once:
        sys.exit(1)


if __name__ == "__main__":
    main()
