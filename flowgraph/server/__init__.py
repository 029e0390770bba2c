"""The FastAPI server: app.py assembles, deps.py holds shared state and auth, errors.py maps
exceptions to statuses, routers/ has one module per resource, dialplan.py is the platform-facing
hot path."""

from flowgraph.server.app import create_app

__all__ = ["create_app"]
