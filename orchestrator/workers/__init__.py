"""Post-reply workers: after each completed reply, a title/summary/tags digest and a signed webhook."""
