"""The `jisheng` command: Django's management commands plus demo, serve, worker, token,
backup and restore."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else ["jisheng", *argv])
    if len(args) > 1 and args[1] == "demo":
        # Demo settings are chosen before Django loads: plain-HTTP cookies on 127.0.0.1.
        os.environ.setdefault("JISHENG_ENV", "demo")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
