"""The served widget file is the esbuild bundle of gateway/widget/src, exactly.

Rebuilds the sources with the locked esbuild (`npm ci` in gateway/widget on first use, like
tests/frontends) into a temp dir and compares bytes: nobody edits the bundle by hand, nobody
forgets `make widget` after editing a module.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.settings import REPO_ROOT

WIDGET = REPO_ROOT / "gateway" / "widget"
BUNDLE = REPO_ROOT / "gateway" / "static" / "widget" / "switchboard-widget.js"


def esbuild_ready() -> None:
    if (WIDGET / "node_modules" / "esbuild" / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot install esbuild")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WIDGET, check=True, capture_output=True, timeout=300)


def test_the_committed_bundle_is_the_build_of_the_sources(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run esbuild")
    esbuild_ready()
    out = tmp_path / "switchboard-widget.js"
    subprocess.run([node, "build.mjs", str(out)], cwd=WIDGET, check=True, capture_output=True, timeout=120)
    assert out.read_bytes() == BUNDLE.read_bytes(), (
        "Expected gateway/static/widget/switchboard-widget.js to be the build of gateway/widget/src, it is not: "
        "run `make widget` and commit the result"
    )


def test_every_module_is_in_the_bundle() -> None:
    bundle = BUNDLE.read_text()
    modules = sorted(p.name for p in (WIDGET / "src").glob("*.js"))
    assert "index.js" in modules
    assert len(modules) > 5
    missing = [m for m in modules if f"// src/{m}" not in bundle]
    assert missing == [], f"Expected every module of gateway/widget/src in the bundle, missing {missing}"
