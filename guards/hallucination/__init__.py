"""Hallucination guard: checks each sentence of a streaming reply against the reply's sources."""

from guards.hallucination.app import create_app, create_broker, running
from guards.hallucination.service import HallucinationGuard

__all__ = ("HallucinationGuard", "create_app", "create_broker", "running")
