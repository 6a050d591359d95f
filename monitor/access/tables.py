"""The access tables, on the store's metadata (the migrations create them)."""

from __future__ import annotations

from sqlalchemy import Column, Double, Integer, String, Table, Text

from monitor.store import metadata

# Local accounts, for shops without an identity provider. Only the Argon2 hash of a password
# is kept; `failures` and `failed_at` slow down guessing.
accounts_table = Table(
    "accounts",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("role", String(10), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    # Sessions that began before the password last changed are over.
    Column("password_set_at", Double, nullable=False),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("failed_at", Double, nullable=True),
    Column("signed_in_at", Double, nullable=True),
)

# Personal API tokens. The token itself is shown once; only its SHA-256 is kept (a token is 256
# random bits, so a fast hash is enough: nobody guesses it, unlike a password).
tokens_table = Table(
    "api_tokens",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("scope", String(10), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Double, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("expires_at", Double, nullable=True),
    Column("last_used_at", Double, nullable=True),
)
