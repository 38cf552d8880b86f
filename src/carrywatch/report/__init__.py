"""Reports built from the store: headline metrics now, the brief later."""
