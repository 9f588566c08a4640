"""What every signed-in page costs before its own work, against the login page (issue 16).

In process (Django's test client, no server), on an existing instance: the login page
(anonymous), the signed-in floor (the password page), one audit entry (what each read of a
list of residents writes), and the resident list, wall ms, median of N each, and each as a
ratio of the login page measured in the same run. Method and results: bench/README.md.

    .venv/bin/python bench/floor_bench.py --home DIR --persons N [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import setup_django

RESULTS = Path(__file__).parent / "results"
WARM_UP = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", required=True, help="an instance folder with its data")
    parser.add_argument("--persons", type=int, required=True, help="for the results' name")
    parser.add_argument("--database-url", default="", help="PostgreSQL (default: SQLite)")
    parser.add_argument("--runs", type=int, default=200)
    return parser.parse_args()


def median_ms(action: Callable[[], object], runs: int) -> float:
    for _ in range(WARM_UP):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    args = parse_args()
    setup_django(args.database_url, Path(args.home), env="demo", migrate=False)
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from pages_bench import signed_in_cookie

    from jisheng.accounts.models import User
    from jisheng.audit import services as audit
    from jisheng.audit.services import Action
    from jisheng.core.actors import Actor

    settings.ALLOWED_HOSTS = ["*"]
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    signed_in.cookies.load(signed_in_cookie("demo_street"))
    actor = Actor(user=User.objects.get(username="demo_street"), ip="127.0.0.1")

    def audit_entry() -> None:
        with transaction.atomic():
            audit.record(
                action=Action.SEARCH,
                actor=actor,
                object_type="registry.person",
                detail={"bench": "floor"},
            )

    login = median_ms(lambda: anonymous.get("/accounts/login/"), args.runs)
    parts = {
        "signed-in floor (password page)": median_ms(
            lambda: signed_in.get("/accounts/password/"), args.runs
        ),
        "one audit entry": median_ms(audit_entry, args.runs),
        "residents (street staff)": median_ms(
            lambda: signed_in.get("/registry/persons/"), args.runs
        ),
    }
    results: dict[str, Any] = {
        "database": connection.vendor,
        "persons": args.persons,
        "runs": args.runs,
        "login_ms": round(login, 3),
        "parts": {
            name: {"ms": round(ms, 3), "ratio_to_login": round(ms / login, 2)}
            for name, ms in parts.items()
        },
    }
    print(f"{connection.vendor}, {args.persons:,} residents: login page {login:.2f} ms")
    for name, ms in parts.items():
        print(f"  {name:34s} {ms:6.2f} ms  {ms / login:5.2f}x the login page")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"floor-{connection.vendor}-{args.persons}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
