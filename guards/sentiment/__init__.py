"""Sentiment monitor: scores visitor messages, keeps a rolling mood, asks for a human."""

from guards.sentiment.app import create_app, create_broker, running
from guards.sentiment.service import SentimentMonitor

__all__ = ("SentimentMonitor", "create_app", "create_broker", "running")
