"""Every mapped model, imported in one place for Alembic and for metadata-wide operations."""

from netflix_clone.accounts.models import RefreshToken, User

__all__ = ["RefreshToken", "User"]
