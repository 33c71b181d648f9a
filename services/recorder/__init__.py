"""The recorder: every durable event (SB_CONV, SB_OPS) into the database, idempotently."""
