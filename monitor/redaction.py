"""Secrets out of every output: URLs, free text and log records pass through here.

A secret is anything SQLAlchemy or libpq take as a credential (the password of a URL, a
`password` or `sslpassword` query parameter, a `password=` keyword of a libpq connection
string), the ops token, and any value registered with `register_secret`. Every path that shows
text to a person or keeps it (logs, the store's notes and job errors, API answers, pages)
calls `redact` or `redact_url`; the log record factory installed by `install_log_redaction`
covers every logger, Vigie's and its libraries', whatever handler prints them.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"
# Query parameters and libpq keywords that carry a credential (or, for passfile, point at one).
SECRET_KEYS = frozenset(
    {"password", "sslpassword", "passfile", "passwd", "pwd", "token", "secret", "api_key"}
)
_KEYWORD = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))
# key=value in a libpq conninfo string or a URL query: password='it''s', password=abc&…
_KEY_VALUE = re.compile(
    rf"(?i)\b({_KEYWORD})(\s*=\s*)('(?:[^'\\]|\\.|'')*'|\"[^\"]*\"|[^\s&;,'\"]+)"
)
# The userinfo of any URL: scheme://user:password@host
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)([^\s@/]+)(@)")
# Values shorter than this are not hunted for in free text: "1" or "ab" would mask figures.
_MIN_SECRET = 4

_known: set[str] = set()
_known_lock = threading.Lock()
_pattern: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Mask `value` (and its percent-encoded forms) wherever it shows up from now on."""
    if not value or len(value) < _MIN_SECRET:
        return
    global _pattern
    forms = {value, unquote(value), quote(value, safe=""), quote_plus(value, safe="")}
    with _known_lock:
        if forms <= _known:
            return
        _known.update(f for f in forms if len(f) >= _MIN_SECRET)
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(_known, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(f) for f in ordered))


def url_secrets(url: str) -> list[str]:
    """The credentials a database URL carries: its password and secret query parameters."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return [url]  # unparseable: the whole string is treated as secret
    found = [str(parsed.password)] if parsed.password else []
    for key, value in parsed.query.items():
        if key.lower() in SECRET_KEYS:
            found += [value] if isinstance(value, str) else list(value)
    return found


def register_url(url: str | None) -> None:
    """Register every credential of a database URL."""
    for secret in url_secrets(url or ""):
        register_secret(secret)


def register_url_parts(url: str) -> None:
    """Register a channel URL (Apprise's form: tokens in the path, the user info or the
    query): the whole of it and each part long enough to be a secret."""
    if not url:
        return
    register_secret(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    # A host name stays readable; a "host" without a dot is a token (slack://TokenA/…).
    token_host = host if "." not in host and host != "localhost" else ""
    pieces = [token_host, parts.username or "", parts.password or "", *parts.path.split("/")]
    pieces += [value for _, value in parse_qsl(parts.query)]
    for piece in pieces:
        if len(piece) >= 8:
            register_secret(piece)


def redact(text: str) -> str:
    """`text` with every known secret, URL password and `password=` value masked."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _USERINFO.sub(rf"\g<1>{MASK}\g<3>", text)
    return _KEY_VALUE.sub(rf"\g<1>\g<2>{MASK}", text)


def redact_url(url: str) -> str:
    """A database URL fit for logs and messages: password and secret parameters masked."""
    if not url:
        return url
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "<unparseable URL>"
    masked = {
        key: MASK if key.lower() in SECRET_KEYS else value for key, value in parsed.query.items()
    }
    return parsed.set(query=masked).render_as_string(hide_password=True)


def install_log_redaction() -> None:
    """Mask secrets in every log record from now on, at the record's creation, so no handler
    (Vigie's, uvicorn's, Streamlit's) ever sees them. Idempotent."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "vigie_redacts", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it as it does
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    make_record.vigie_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
