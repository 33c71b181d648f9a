"""The admin API: tenants (create, change, disable, rotate keys) stored in the database, audit-logged,
and pushed to every running service through the bus (shared.tenant_sync). Mounted on the handoff service."""
