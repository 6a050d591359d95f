"""The JSON API: `python -m monitor.api [--host 127.0.0.1] [--port 8000]`.

The only package that imports FastAPI. A thin view over the core: it reads the store, runs the
health checks and queues maintenance. `app` holds the routes, `guard` the door (body limits,
the token before the body), `models` the answers' shapes, `prometheus` the /metrics text.
"""

from __future__ import annotations

from monitor.api.app import create_app, main

__all__ = ["create_app", "main"]
