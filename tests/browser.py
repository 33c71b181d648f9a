"""Headless Chromium for browser tests, driven by Playwright: Debian's `chromium`, else Playwright's own.

`make test` installs one on a fresh machine first (tests/browser_setup.py); tests never download.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

DEBIAN_CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def playwright_chromium() -> Path | None:
    """The Chromium `playwright install chromium` put in Playwright's cache, if it did."""
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    for name in ("chrome", "headless_shell"):
        found = sorted(cache.glob(f"chromium*-*/chrome-linux*/{name}"))
        if found:
            return found[-1]
    return None


CHROMIUM = DEBIAN_CHROMIUM if DEBIAN_CHROMIUM.exists() else (playwright_chromium() or DEBIAN_CHROMIUM)
HAVE_CHROMIUM = CHROMIUM.exists()
NO_CHROMIUM = (
    f"no Chromium: neither Debian's at {DEBIAN_CHROMIUM} nor Playwright's "
    "(`make test` installs one: python -m tests.browser_setup)"
)
requires_chromium = pytest.mark.skipif(not HAVE_CHROMIUM, reason=NO_CHROMIUM)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # This machine has no network beyond loopback: background fetches only fail.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Pages served by page.route() have no IP address space, so Chromium would treat the
    # loopback gateway as a "local network" target of a public page and block the socket.
    "--disable-features=LocalNetworkAccessChecks",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """A launched Playwright browser; skips the calling test when Chromium is absent."""
    if not HAVE_CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
