"""The maturity levels of a profile, and which minimum ages each level may see.

The catalog turns a title's certifications into a minimum age (catalog.maturity); this module
says whether a profile of a level may watch that age.
"""

from __future__ import annotations

from typing import Literal

MaturityLevel = Literal["little_kids", "older_kids", "teens", "adults"]
# The oldest minimum age each level may watch; adults see everything.
LEVEL_MAX_AGE: dict[str, int | None] = {
    "little_kids": 6,
    "older_kids": 12,
    "teens": 16,
    "adults": None,
}
LEVEL_ORDER = ("little_kids", "older_kids", "teens", "adults")
# The level that sees every title (unless the profile is a kids profile).
UNFILTERED_LEVEL = "adults"


def allowed(level: str, age: int | None, kids: bool) -> bool:
    """Whether a profile of this level may see a title of this minimum age. A title whose
    age is unknown (no rating anywhere, or its record unavailable) is hidden from every
    restricted profile: the filter fails closed."""
    limit = LEVEL_MAX_AGE.get(level)
    if limit is None and not kids:
        return True
    if age is None or limit is None:
        return False
    return age <= limit
