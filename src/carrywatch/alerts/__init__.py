"""Alerts: rules read from a TOML file, checked against the store, delivered once each.

``rules`` reads and checks the file, ``check`` finds the events (as of a date, or over a
past span for a back-test) and keeps the delivered ones in the store, ``delivery`` prints
them, appends them to a JSON-lines file and POSTs them to a webhook.
"""
