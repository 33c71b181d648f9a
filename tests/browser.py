"""Headless Chromium for browser tests: Debian's `chromium`, driven by Playwright (never its own download)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
HAVE_CHROMIUM = CHROMIUM.exists()
NO_CHROMIUM = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
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
