"""HTTP routes of the handoff service, one module per resource."""
