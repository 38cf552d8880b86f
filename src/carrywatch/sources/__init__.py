"""Data providers: one module per provider, fetch (bytes) separate from a pure parse."""
