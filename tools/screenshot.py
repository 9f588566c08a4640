"""Screenshot of the home page as demo_street sees it, for the README.

Starts nothing itself: point it at a running demo instance, e.g.

    JISHENG_HOME=/tmp/jh-shot .venv/bin/jisheng demo --persons 20000 --no-serve
    JISHENG_ENV=demo JISHENG_HOME=/tmp/jh-shot .venv/bin/jisheng serve --bind 127.0.0.1:8765 &
    .venv/bin/python tools/screenshot.py --url http://127.0.0.1:8765
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django_otp.oath import TOTP
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
USERNAME = "demo_street"
PASSWORD = "Demo-pass-2026"  # noqa: S105 - the published demo password (jisheng.demo.seed)
# The published demo second-factor key (jisheng.demo.seed.DEMO_TOTP_KEY), demo only.
DEMO_TOTP_KEY = b"jisheng-demo-totp-20"
VIEWPORT = {"width": 1280, "height": 800}


def demo_code() -> str:
    return f"{TOTP(DEMO_TOTP_KEY).token():06d}"


def take(url: str, out: Path) -> None:
    base = url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=base)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.fill("input[name=username]", USERNAME)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click(".login-box button[type=submit]")
            if urlsplit(page.url).path == "/accounts/two-factor/verify/":
                page.fill("input[name=code]", demo_code())
                with page.expect_navigation():
                    page.click("[data-testid=verify]")
            if urlsplit(page.url).path != "/":
                raise SystemExit(f"screenshot: sign-in as {USERNAME} failed (now at {page.url})")
            page.wait_for_selector("[data-testid=counts]")
            page.wait_for_load_state("networkidle")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running instance")
    parser.add_argument(
        "--out", type=Path, default=Path("docs/screenshot-home.png"), help="where to write the PNG"
    )
    args = parser.parse_args(argv)
    take(args.url, args.out)
    sys.stdout.write(f"screenshot: wrote {args.out}\n")


if __name__ == "__main__":
    main()
