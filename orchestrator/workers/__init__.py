"""Post-reply workers: after each completed assistant reply, refresh the conversation's insights
(title, summary, topic tags) for agents and integrations. ``python -m orchestrator.workers``.
"""
