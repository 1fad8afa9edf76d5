"""netflix-clone: a Netflix-style backend on Flask."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netflix_clone.version import __version__

if TYPE_CHECKING:
    from flask import Flask

    from netflix_clone.core.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from netflix_clone.web.app import create_app as factory

    return factory(settings)


__all__ = ["__version__", "create_app"]
