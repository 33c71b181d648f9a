"""Write the generated contract documents: AsyncAPI for the bus, OpenAPI for each HTTP service."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from shared.contract import asyncapi_document
from shared.settings import REPO_ROOT, Settings

DOCS = REPO_ROOT / "docs"
# HTTP services and the factory that builds each app (imported lazily: a service may be absent).
HTTP_APPS = {"gateway": "gateway.app:create_app", "handoff": "handoff.app:create_app"}


def openapi_document(target: str) -> dict[str, Any] | None:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    factory = getattr(module, attr)
    settings = Settings(environment="test", secret_key="docs-generation-secret-0000")
    return factory(settings).openapi()


def documents() -> dict[Path, dict[str, Any]]:
    docs: dict[Path, dict[str, Any]] = {DOCS / "asyncapi" / "switchboard.json": asyncapi_document()}
    for name, target in HTTP_APPS.items():
        doc = openapi_document(target)
        if doc is not None:
            docs[DOCS / "openapi" / f"{name}.json"] = doc
    return docs


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def write_docs() -> list[Path]:
    written = []
    for path, doc in documents().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(doc))
        written.append(path)
    return written
