"""Vigie: monitoring for an online shop — the core package (no Streamlit, no HTTP here)."""

from __future__ import annotations

__version__ = "0.1.0"
