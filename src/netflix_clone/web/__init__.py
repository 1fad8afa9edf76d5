"""The web layer: the app factory, the operation wrapper, the error table, encoding, the
operational routes and gunicorn. The only layer (with the features' route modules) that
imports Flask."""
