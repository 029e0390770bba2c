"""Persistence behind small interfaces: db.py (engine, metadata), flows.py (flows, versions,
secrets), calls.py (call log), contexts.py (per-call contexts)."""
