"""Issue 23, row 9: `victimİ@example.com` (U+0130) and `exam\u0307ple.com` were accepted:
NFKC then case-folding gives `i` plus a combining dot, which renders as `i`. The checks now run
on the case-folded address (the stored form), and combining marks are refused in the local part
and the domain, as typed and as folded."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from netflix_clone.accounts.service import normalise_email
from netflix_clone.core.exceptions import Invalid
from tests.conftest import PASSWORD, Member

LOOKALIKES = [
    "victim\u0130@example.com",  # İ: case-folds to i + U+0307
    "victim@exam\u0307ple.com",  # m + combining dot above
    "vic\u0301tim@example.com",  # a combining acute on its own
    "victim@example.co\u0327m",  # combining cedilla in the domain
    "\u0432ictim@example.com",  # Cyrillic в among Latin letters
    "victim\uff49@example.com",  # fullwidth i in the local part
]


@pytest.mark.parametrize("address", LOOKALIKES)
def test_lookalikes_of_an_address_are_refused(address: str, client: FlaskClient) -> None:
    Member(client, "victimi@example.com")
    with pytest.raises(Invalid):
        normalise_email(address)
    answer = client.post(
        "/api/users", json={"email": address, "password": PASSWORD, "display_name": "Thief"}
    )
    assert answer.status_code == 422, answer.json
    assert (answer.json or {})["errors"][0]["field"] == "email"


def test_a_fullwidth_domain_is_the_same_domain(client: FlaskClient) -> None:
    """IDNA maps a fullwidth domain to its ASCII form: the same address, so the same account."""
    Member(client, "victimi@example.com")
    assert normalise_email("victimi@\uff45xample.com") == "victimi@example.com"
    answer = client.post(
        "/api/users",
        json={"email": "victimi@\uff45xample.com", "password": PASSWORD, "display_name": "T"},
    )
    assert answer.status_code == 409


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("José@Example.com", "josé@example.com"),  # a precomposed accented letter is a letter
        ("ÅSA@example.se", "åsa@example.se"),
        ("Straße@example.de", "strasse@example.de"),
        ("Plain.Name+tag@Example.COM", "plain.name+tag@example.com"),
    ],
)
def test_ordinary_addresses_are_kept_case_folded(typed: str, stored: str) -> None:
    assert normalise_email(typed) == stored
