"""`python -m monitor.api`: serve the API."""

from __future__ import annotations

from monitor.api.app import main

raise SystemExit(main())
