"""Browser tests: Playwright drives Debian's Chromium against a live Django server."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the test's own database work
# (fixtures loading data for the live server) is still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    chromium_found = Path(CHROMIUM).exists() or shutil.which(CHROMIUM)
    for item in items:
        if "tests/browser/" not in str(item.fspath).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.browser)
        if not chromium_found:
            if os.environ.get("CI"):
                raise pytest.UsageError(
                    f"CI needs Chromium for the browser tests and found none at {CHROMIUM}."
                )
            item.add_marker(
                pytest.mark.skip(
                    reason=f"no Chromium at {CHROMIUM}: install it with 'apt-get install "
                    "chromium' or point CHROMIUM at one"
                )
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def timeline_server(live_server, transactional_db, load_curated):
    """The live server with the curated dataset loaded."""
    load_curated()
    return live_server


@pytest.fixture
def console_errors(page):
    """Console errors and uncaught exceptions of the page; a test asserts it stays empty."""
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name, full_page=True):
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=full_page)

    return take
