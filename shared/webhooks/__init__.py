"""Outgoing webhooks, one way for all of them: Standard Webhooks signatures, checked targets, recorded attempts.

- ``signing``: the one signer (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``).
- ``targets``: which addresses a webhook may reach, resolved and pinned at delivery time.
- ``delivery``: one signed POST to a checked target, and its row in ``webhook_deliveries``.
"""
