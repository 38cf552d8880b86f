"""What carrywatch tracks, by its own ids: series (``series.toml``) and events (``events.toml``)."""
