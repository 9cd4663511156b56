"""Browser journeys: Playwright driving Debian's Chromium against the live test server.

Without Chromium the journeys are skipped with a clear reason; under CI (CI=true) a
missing browser is a failure, never a silent skip."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between page actions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PEERHAVEN_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = f"Chromium not found at {CHROMIUM}: browser tests need `apt-get install chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == [], f"the browser console reported errors: {errors}"


@pytest.fixture(autouse=True)
def _builtin_instruments(transactional_db):
    """A transactional test's flush empties every table, rows of data migrations included:
    put the built-in survey instruments back, as `migrate` leaves them (idempotent)."""
    from django.apps import apps

    migration = importlib.import_module("peerhaven.outcomes.migrations.0002_builtin_instruments")
    migration.create_builtins(apps, None)


_axe = Axe()


def check_page(page, name: str) -> None:
    """Screenshot the page at laptop and phone width and fail on any serious or critical
    accessibility violation that axe-core finds at either width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in _axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert violations == [], f"{name} at {label} width: {violations}"
    page.set_viewport_size(LAPTOP)
