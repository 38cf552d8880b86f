"""The local SQLite store: observations with provenance, revisions and the raw archive."""
