"""The Switchboard contract: events, subjects, settings, tenants and bus setup shared by every service."""
