"""Browser fixtures: Debian's Chromium driven by Playwright, against a live app on loopback.

The tests run in CI (where .ci/run installs chromium). They are skipped only when CI is unset
and no Chromium is installed, and the reason is printed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-output"
# axe-core, pinned in tests/browser/package.json and installed by .ci/run (`npm ci --prefix tests/browser`).
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        return  # in CI a missing browser must fail the run, not hide it
    reason = f"Chromium not found at {CHROMIUM} and CI is unset: browser tests skipped (apt-get install chromium)"
    print(f"\n{reason}")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def live(make_services: Callable[..., Any]) -> Iterator[Callable[..., LiveServer]]:
    """Start the app (built from `make_services(...)` arguments) on a real port."""
    from app import create_app

    servers: list[LiveServer] = []

    def start(services: Any = None, **kwargs: Any) -> LiveServer:
        services = services or make_services(**kwargs)
        server = LiveServer(create_app(services.settings, services=services)).start()
        server.services = services  # type: ignore[attr-defined]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots and other files for review, under test-output/ (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing at {AXE}: run `npm ci --prefix tests/browser` (.ci/run does)")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/browser): accessibility checks skipped")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source: str) -> Callable[[Any, str], None]:
    """`axe(page, "what")`: run axe-core's WCAG 2.1 A/AA and best-practice rules on the page as it is
    now (with `wcag22=True` also WCAG 2.2 AA, e.g. target size); fail with every violation found
    (rule, impact, the elements)."""

    def check(page: Any, what: str, *, wcag22: bool = False) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)  # evaluated over the DevTools protocol: the page's CSP does not apply
        tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice", *(["wcag22aa"] if wcag22 else [])]
        results = page.evaluate(
            """(tags) => axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            })""",
            tags,
        )
        found = [
            f"{v['id']} ({v['impact']}): {v['help']} — " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in results["violations"]
        ]
        assert found == [], f"accessibility violations on {what}:\n" + "\n".join(found)

    return check
