"""The package's version, importable without the rest of it (the CLI, /healthz)."""

__version__ = "0.1.0"
