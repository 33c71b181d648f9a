"""`make test` set-up: give the browser tests a Chromium on a fresh machine, so none of them skips.

Debian's ``chromium`` (apt) when it is missing and we are root, else Playwright's own Chromium
(``playwright install chromium``, into Playwright's cache). Nothing happens when one is
already there. ``python -m tests.browser_setup [--dry-run]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

from tests.browser import DEBIAN_CHROMIUM, playwright_chromium

APT = [
    ["apt-get", "update", "-qq"],
    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
]


def plan(*, have_debian: bool, have_playwright: bool, is_root: bool, have_apt: bool) -> list[list[str]]:
    """The commands that install a Chromium (none when one is installed)."""
    if have_debian or have_playwright:
        return []
    if is_root and have_apt:
        return APT
    return [[sys.executable, "-m", "playwright", "install", "chromium"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dry-run", action="store_true", help="print the commands instead of running them")
    args = parser.parse_args(argv)
    commands = plan(
        have_debian=DEBIAN_CHROMIUM.exists(),
        have_playwright=playwright_chromium() is not None,
        is_root=os.geteuid() == 0,
        have_apt=shutil.which("apt-get") is not None,
    )
    for command in commands:
        print("browser tests need Chromium:", " ".join(command), flush=True)
        if not args.dry_run:
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            if subprocess.run(command, env=env).returncode != 0:
                print(f"could not install Chromium ({command[0]} failed); browser tests will skip", file=sys.stderr)
                return 0  # the rest of the suite still runs; the skips say why
    return 0


if __name__ == "__main__":
    sys.exit(main())
