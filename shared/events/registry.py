"""Lookup from an event's ``type`` to its model, filled as event modules are imported."""

from __future__ import annotations

from typing import Any

from shared.events.base import Event

_REGISTRY: dict[str, type[Event]] = {}


def register(cls: type[Event]) -> type[Event]:
    kind = cls.model_fields["type"].default
    if not isinstance(kind, str):
        raise TypeError(f"Expected {cls.__name__}.type to default to a string, got {kind!r}")
    if _REGISTRY.get(kind, cls) is not cls:
        raise TypeError(f"Event type {kind!r} is defined twice: {_REGISTRY[kind].__name__} and {cls.__name__}")
    _REGISTRY[kind] = cls
    return cls


def register_module_events(namespace: dict[str, Any]) -> None:
    for value in namespace.values():
        if isinstance(value, type) and issubclass(value, Event) and value is not Event and "type" in value.model_fields:
            register(value)


def event_types() -> dict[str, type[Event]]:
    return dict(_REGISTRY)


def parse_event(data: bytes | str | dict[str, Any]) -> Event:
    """Decode any bus event by its ``type``; raises ValueError for unknown types."""
    if isinstance(data, dict):
        raw = data
        kind = raw.get("type")
    else:
        from pydantic_core import from_json

        raw = from_json(data)
        kind = raw.get("type") if isinstance(raw, dict) else None
    cls = _REGISTRY.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"Expected a known event type, got {kind!r}")
    return cls.model_validate(raw)
