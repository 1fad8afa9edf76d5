"""Every mapped model, imported in one place for Alembic and for metadata-wide operations."""

from netflix_clone.accounts.models import Profile, RefreshToken, User
from netflix_clone.catalog.models import Title
from netflix_clone.library.models import ListEntry, Rating, Viewing

__all__ = ["ListEntry", "Profile", "Rating", "RefreshToken", "Title", "User", "Viewing"]
