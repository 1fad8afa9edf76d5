"""WSGI entry point for gunicorn: `gunicorn netflix_clone.wsgi:app`."""

from __future__ import annotations

import sys

from netflix_clone.core.settings import ConfigError
from netflix_clone.web.app import create_app

try:
    app = create_app()
except ConfigError as exc:
    # One line for the operator, no traceback; 3 is gunicorn's "worker failed to boot", which
    # stops the arbiter instead of respawning a worker that can never start.
    print(exc, file=sys.stderr)  # noqa: T201
    raise SystemExit(3) from None
