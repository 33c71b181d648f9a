"""The agent console in headless Chromium, for the console's browser tests: a page, signing in, axe-core.

axe-core comes from npm (tests/handoff/js, installed on first use like tests/frontends does) and
runs inside the page.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium
from tests.handoff.conftest import Service, token

JS = Path(__file__).resolve().parent / "js"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.x A and AA and best practices (landmarks, one h1, focusable scroll regions...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_ready() -> Path:
    if AXE.is_file():
        return AXE
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot install axe-core")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, capture_output=True, timeout=300)
    return AXE


async def open_console(viewport: dict[str, int] | None = None) -> AsyncIterator[Any]:
    async with chromium() as browser:
        context = await browser.new_context(viewport=viewport or {"width": 1300, "height": 820})
        context.set_default_timeout(15_000)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
    assert errors == [], f"Expected no script errors in the console, got {errors}"


@pytest.fixture
async def console() -> AsyncIterator[Any]:
    """A Chromium page for the console; fails the test if the page threw."""
    async for page in open_console():
        yield page


async def sign_in(page: Any, service: Service, tenant: str, agent: str = "alice") -> None:
    from playwright.async_api import expect

    await page.goto(service.url + "/console")
    await page.get_by_test_id("token").fill(token(tenant, agent))
    await page.get_by_test_id("sign-in").click()
    await expect(page.get_by_test_id("me")).to_have_text(f"{agent.title()} of {tenant[:4]}")


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now: id, impact and the first few offending nodes."""
    await page.add_script_tag(path=str(axe_ready()))
    result = await page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, { runOnly: { type: "tag", values: tags } });
            return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, summary: n.failureSummary })) }));
        }""",
        AXE_TAGS,
    )
    return list(result)
