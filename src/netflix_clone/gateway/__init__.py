"""TMDB-compatible gateway (`/tmdb/3/...`) and same-origin hosting of a built single-page app.

See docs/gateway.md.
"""

from __future__ import annotations

from flask import Flask

from netflix_clone.web.deps import wiring


def register(app: Flask) -> None:
    """Add the gateway, and the SPA when `SPA_DIR` is set, to an app built by `create_app`."""
    from netflix_clone.gateway import routes, spa

    svc = wiring(app).services
    app.register_blueprint(routes.bp)
    spa.register(app, svc.settings.spa_dir)
