"""The fault suite's heartbeats name titles of the bundled demo catalog.

The fault suite runs last and slowly (`make faults`); a title dropped from the catalog would
only show there, as 404s under load. This checks the same ids in the main suite, in a second."""

from __future__ import annotations

from netflix_clone.catalog.demo_tmdb import DemoTMDB
from tests.faults.test_faults import MOVIES


def test_every_fault_title_is_in_the_demo_catalog() -> None:
    missing = sorted(set(MOVIES) - set(DemoTMDB.default().movie_ids))
    assert missing == []
