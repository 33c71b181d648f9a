"""Handoff service: the conversation state machine, the agent queue, the agent API and console."""
