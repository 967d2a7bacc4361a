#!/usr/bin/env python
"""Take the README's screenshots of the timeline anew: docs/screenshot.png at 1366×800, with
the card of "The “reset” is launched" showing, and docs/screenshot-phone.png at 390×844 (drawn at
twice the pixels, as a phone does).

A temporary SQLite database gets the migrations and the curated dataset; the development
server serves it on 127.0.0.1:8062 while Playwright drives Debian's Chromium.

Usage: .venv/bin/python docs/screenshots.py [--chromium /usr/bin/chromium]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

PROJECT = Path(__file__).resolve().parents[1]
DOCS = PROJECT / "docs"
ADDRESS = "127.0.0.1:8062"
WIDE = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


def manage(env, *arguments, **options):
    return subprocess.Popen(
        [sys.executable, "manage.py", *arguments], cwd=PROJECT, env=env, **options
    )


def serve(env):
    """The development server with the curated dataset, once it answers."""
    for arguments in (("migrate", "--no-input", "-v0"), ("load_timeline",)):
        if manage(env, *arguments, stdout=subprocess.DEVNULL).wait():
            sys.exit(f"manage.py {' '.join(arguments)} failed")
    server = manage(
        env,
        "runserver",
        ADDRESS,
        "--noreload",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{ADDRESS}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"the development server did not answer on {ADDRESS}")


def take(browser):
    wide = browser.new_page(viewport=WIDE)
    wide.goto(f"http://{ADDRESS}/")
    # Pointed at, a mark shows its card: the picture shows one too.
    wide.locator('#axis [data-event-slug="reset-launched"] > a').hover()
    wide.locator("#card-reset-launched").wait_for()
    wide.screenshot(path=DOCS / "screenshot.png")
    phone = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    phone.goto(f"http://{ADDRESS}/")
    phone.screenshot(path=DOCS / "screenshot-phone.png")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/docs.sqlite3",
            "DJANGO_DEBUG": "1",
        }
        server = serve(env)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=options.chromium)
                take(browser)
                browser.close()
        finally:
            server.terminate()
            server.wait()
    for name in ("screenshot.png", "screenshot-phone.png"):
        print(f"docs/{name}: {(DOCS / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
