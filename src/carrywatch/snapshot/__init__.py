"""The embedded real-data snapshot (a built artefact) and the code that seeds a store from it."""
