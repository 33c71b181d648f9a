"""`make test` installs the browser the browser tests need: Debian's as root, else Playwright's, else nothing."""

from __future__ import annotations

import sys

from tests.browser_setup import APT, main, plan


def test_nothing_to_do_when_a_chromium_is_there() -> None:
    assert plan(have_debian=True, have_playwright=False, is_root=True, have_apt=True) == []
    assert plan(have_debian=False, have_playwright=True, is_root=False, have_apt=False) == []


def test_root_on_debian_installs_debians_chromium() -> None:
    assert plan(have_debian=False, have_playwright=False, is_root=True, have_apt=True) == APT
    assert APT[-1][-1] == "chromium"


def test_otherwise_playwrights_chromium() -> None:
    for is_root, have_apt in ((False, True), (True, False), (False, False)):
        commands = plan(have_debian=False, have_playwright=False, is_root=is_root, have_apt=have_apt)
        assert commands == [[sys.executable, "-m", "playwright", "install", "chromium"]]


def test_make_test_runs_it_and_ci_stays_a_thin_caller() -> None:
    from tests.e2e.system import REPO

    makefile = (REPO / "Makefile").read_text()
    assert "test: install browser" in makefile
    assert "python -m tests.browser_setup" in makefile
    ci = (REPO / ".ci" / "run").read_text()
    assert "apt-get" not in ci
    assert "make test" in ci


def test_a_dry_run_says_what_it_would_install_only_when_chromium_is_missing(capsys) -> None:
    from tests.browser import HAVE_CHROMIUM

    assert main(["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert (out == "") == HAVE_CHROMIUM, out
