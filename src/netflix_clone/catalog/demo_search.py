"""Search over the demo catalog the way TMDB's search finds titles and people.

Text is folded before it is compared: Unicode compatibility forms decomposed, diacritics
dropped, case folded (``Amélie`` matches ``amelie``, ``Pokémon`` matches ``POKEMON``). A name's
words are its runs of letters and digits; a word written with inner punctuation also counts
joined (``Spider-Man`` has ``spider``, ``man`` and ``spiderman``; ``S.W.A.T.`` has ``swat``).

A name matches when every word of the query is the start of one of its words, in any order
(``infinity`` finds *Avengers: Infinity War*, ``how to train your dragon`` finds every *How to
Train Your Dragon*, ``lion ki`` finds *The Lion King* while it is being typed). Matches rank
in four tiers, then by popularity (highest first), then by the caller's kind order and id:

0. the whole name, as folded words, is the query;
1. the name starts with the query (its words in order, the last one as a prefix);
2. every query word is a whole word of the name;
3. every query word starts a word of the name.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

_WORD: Final = re.compile(r"[^\W_]+")
_KEY_LENGTH: Final = 2  # words are indexed by their first two characters


def fold(text: str) -> str:
    if text.isascii():  # most names: nothing to decompose
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text``, in order (joined forms after their parts)."""
    found: list[str] = []
    for chunk in fold(text).split():
        parts = _WORD.findall(chunk)
        found.extend(parts)
        if len(parts) > 1:
            found.append("".join(parts))
    return tuple(found)


def query_words(text: str) -> tuple[str, ...]:
    """The words a query is matched by: its parts only (``spider-man`` is spider, man)."""
    return tuple(part for chunk in fold(text).split() for part in _WORD.findall(chunk))


@dataclass(frozen=True, slots=True)
class Entry:
    key: Any  # whatever the caller finds its entry by
    names: tuple[str, ...]  # as given (folded when compared), each once


def tier(entry: Entry, wanted: Sequence[str]) -> int | None:
    """The entry's tier for the query words (see the module docstring), or None."""
    best: int | None = None
    for name in entry.names:
        name_words, plain = words(name), query_words(name)
        if not all(any(w.startswith(q) for w in name_words) for q in wanted):
            continue
        if plain == tuple(wanted) or "".join(plain) == "".join(wanted):
            found = 0
        elif (
            len(plain) >= len(wanted)
            and all(plain[i] == q for i, q in enumerate(wanted[:-1]))
            and plain[len(wanted) - 1].startswith(wanted[-1])
        ):
            found = 1
        elif all(q in name_words for q in wanted):
            found = 2
        else:
            found = 3
        best = found if best is None else min(best, found)
    return best


class Index:
    """Entries by the first characters of their words, so a query looks at few of them. Kept
    small (the caller's own name strings, positions in arrays): the people's index has 24,000
    entries in every worker; words are folded and split again only for a query's candidates."""

    def __init__(self, entries: Iterable[tuple[Any, Sequence[str]]]) -> None:
        self._entries: list[Entry] = []
        by_key: dict[str, list[int]] = defaultdict(list)
        for key, names in entries:
            kept = tuple(dict.fromkeys(name for name in names if name))
            position = len(self._entries)
            self._entries.append(Entry(key, kept))
            for prefix in {w[:_KEY_LENGTH] for name in kept for w in words(name)}:
                by_key[prefix].append(position)
        self._by_key = {prefix: array("i", found) for prefix, found in by_key.items()}

    def search(self, text: str) -> list[tuple[int, Entry]]:
        """``(tier, entry)`` of every match, in index order."""
        wanted = query_words(text)
        if not wanted:
            return []
        candidates: set[int] | None = None
        for word in wanted:
            if len(word) >= _KEY_LENGTH:
                found = set(self._by_key.get(word[:_KEY_LENGTH], ()))
            else:
                found = {i for key, s in self._by_key.items() if key.startswith(word) for i in s}
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return []
        hits = []
        for position in sorted(candidates or ()):
            entry = self._entries[position]
            found_tier = tier(entry, wanted)
            if found_tier is not None:
                hits.append((found_tier, entry))
        return hits
