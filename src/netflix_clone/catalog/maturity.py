"""Minimum ages from TMDB certifications (which levels may see which ages: accounts.maturity).

Rule (documented in the README): the rating for the viewer's country wins, theatrical release
first; without one, the strictest rating known in any country; without any, the age is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

_BY_COUNTRY: dict[str, dict[str, int]] = {
    "US": {"G": 0, "PG": 7, "PG-13": 13, "R": 17, "NC-17": 18},
    "GB": {"U": 0, "UC": 0, "PG": 8, "12A": 12, "12": 12, "15": 15, "18": 18, "R18": 18},
    "CA": {"G": 0, "PG": 8, "14A": 14, "18A": 18, "R": 18, "A": 18},
    "AU": {"G": 0, "PG": 8, "M": 15, "MA15+": 15, "R18+": 18, "X18+": 18},
    "FR": {"U": 0, "TP": 0},
    "BR": {"L": 0, "ER": 10},
    "NL": {"AL": 0},
    "IE": {"G": 0, "PG": 8, "12A": 12, "15A": 15, "16": 16, "18": 18},
    "NZ": {"G": 0, "PG": 8, "M": 16, "R13": 13, "R15": 15, "R16": 16, "R18": 18},
    "IN": {"U": 0, "UA": 12, "U/A 7+": 7, "U/A 13+": 13, "U/A 16+": 16, "A": 18},
    "KR": {"ALL": 0, "All": 0},
    "JP": {"G": 0, "PG12": 12, "R15+": 15, "R18+": 18},
}
# TV content ratings (TMDB's `content_ratings`) where they differ from the film boards' or are
# not a plain age; plain ages ("12", "16+") are read by _NUMBER below.
_TV_BY_COUNTRY: dict[str, dict[str, int]] = {
    "US": {"TV-Y": 0, "TV-Y7": 7, "TV-Y7-FV": 7, "TV-G": 0, "TV-PG": 10, "TV-14": 14, "TV-MA": 17},
    "GB": {"U": 0, "PG": 8, "12": 12, "15": 15, "18": 18},
    "CA": {"C": 0, "C8": 8, "G": 0, "PG": 8, "14+": 14, "18+": 18},
    "AU": {"P": 0, "C": 0, "G": 0, "PG": 8, "M": 15, "MA15+": 15, "AV15+": 15, "R18+": 18},
    "KR": {"ALL": 0, "All": 0, "7": 7, "12": 12, "15": 15, "19": 19, "Exempt": 0},
    "BR": {"L": 0, "AL": 0},
    "FR": {"TP": 0},
    "NZ": {"G": 0, "PGR": 8, "AO": 16},
    "JP": {"G": 0, "PG12": 12, "R15+": 15, "R18+": 18},
}
Kind = Literal["movie", "tv"]
_UNRATED = {"NR", "UNRATED", "NOT RATED", "TBC", "TBA", "?", "E", "EXEMPT"}
_NUMBER = re.compile(r"^(?:[+-]?\s*)?(\d{1,2})\s*\+?$")


def certification_age(country: str, cert: str, kind: Kind = "movie") -> int | None:
    """The minimum age a film certification (or, for `kind="tv"`, a TV content rating) means."""
    cert = cert.strip()
    if kind == "tv" and cert in _TV_BY_COUNTRY.get(country, {}):
        return _TV_BY_COUNTRY[country][cert]
    if not cert or cert.upper() in _UNRATED:
        return None
    table = _BY_COUNTRY.get(country, {})
    if cert in table:
        return table[cert]
    match = _NUMBER.match(cert)
    if match:
        return int(match.group(1))
    if cert.upper() in ("ALL", "TP", "U", "G", "L", "AL"):
        return 0
    return None


def min_age(
    certifications: Mapping[str, str], country: str, kind: Kind = "movie"
) -> tuple[int | None, str | None]:
    """(minimum age, "COUNTRY:RATING" it came from)."""
    own = certifications.get(country)
    if own is not None:
        age = certification_age(country, own, kind)
        if age is not None:
            return age, f"{country}:{own}"
    known = [
        (age, c, v)
        for c, v in certifications.items()
        if (age := certification_age(c, v, kind)) is not None
    ]
    if not known:
        return None, None
    age, c, v = max(known, key=lambda k: (k[0], k[1]))
    return age, f"{c}:{v}"
