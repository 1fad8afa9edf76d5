"""Issue 23, row 3: 10 wrong passwords for someone else's email from one address made the
owner's right password a 429 (Retry-After 296 s), and with the daily cap spent, for 24 hours,
which also blocked PIN switching and password-confirmed changes.

Now failed sign-ins count per (account, address); a device that signed in to the account before
(its device token) counts on its own; everyone else shares a per-account ceiling that slows a
guesser spread over many addresses. Signed-in checks (PINs, the current password) count per
session and per account, never against failed sign-ins."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, AppFactory, Member
from tests.security.helpers import add_profile, problem_code, profiles_url

ATTACKER = "198.51.100.7"
OWNER_HOME = "203.0.113.5"
OWNER_TRAVEL = "203.0.113.99"


def _sign_in(
    client: FlaskClient, email: str, password: str, address: str, device: str | None = None
) -> Any:
    body: dict[str, Any] = {"email": email, "password": password}
    if device is not None:
        body["device_token"] = device
    return client.post("/api/auth/token", json=body, environ_base={"REMOTE_ADDR": address})


def test_guesses_from_one_address_lock_out_that_address_only(make_app: AppFactory) -> None:
    app: Flask = make_app()
    client = app.test_client()
    owner = Member(client, "owner@example.com")
    locked = add_profile(client, owner, name="Locked", pin="4321", password=PASSWORD)
    guesses = [_sign_in(client, owner.email, f"guess-{n:06d}", ATTACKER) for n in range(11)]
    assert [g.status_code for g in guesses] == [401] * 10 + [429]
    assert int(guesses[-1].headers["Retry-After"]) >= 1
    # The owner, from their own address, with the right password: signed in.
    assert _sign_in(client, owner.email, PASSWORD, OWNER_HOME).status_code == 200
    # And what needs the password or a PIN while signed in is untouched by the guesses.
    switch = client.post(
        f"{profiles_url(owner)}/{locked['id']}/token", headers=owner.headers, json={"pin": "4321"}
    )
    assert switch.status_code == 200, switch.json
    rename = client.patch(
        f"/api/users/{owner.id}",
        headers=owner.headers,
        json={"country": "GB", "current_password": PASSWORD},
    )
    assert rename.status_code == 200, rename.json


def test_a_guesser_with_many_addresses_never_locks_out_a_known_device(
    make_app: AppFactory,
) -> None:
    app = make_app(login_limit_per_account=20)
    client = app.test_client()
    owner = Member(client, "known@example.com")  # one sign-in: counted on the account ceiling
    first = _sign_in(client, owner.email, PASSWORD, OWNER_HOME)
    device = first.json["device_token"]
    assert device and device.count(".") == 1
    # A spread-out guesser: one attempt from each of many addresses.
    statuses = [
        _sign_in(client, owner.email, f"guess-{n:06d}", f"198.51.{n // 250}.{n % 250}").status_code
        for n in range(40)
    ]
    assert statuses.count(401) == 18 and statuses.count(429) == 22, statuses
    # The ceiling slows everyone without a device token, the owner on a new device included;
    # what they see says why and what to do.
    stranger = _sign_in(client, owner.email, PASSWORD, OWNER_TRAVEL)
    assert stranger.status_code == 429
    assert "device you have signed in on before" in stranger.json["detail"]
    # The owner's own device is not affected, and keeps its device token.
    again = _sign_in(client, owner.email, PASSWORD, OWNER_TRAVEL, device=device)
    assert again.status_code == 200, again.json
    assert again.json["device_token"] == device
    # A device token is the account's own: another account's, or a forged one, is no help.
    other = Member(client, "other@example.com")
    foreign = _sign_in(client, other.email, PASSWORD, OWNER_HOME).json["device_token"]
    assert _sign_in(client, owner.email, PASSWORD, OWNER_TRAVEL, device=foreign).status_code == 429
    forged = device[:17] + ("A" if device[17] != "A" else "B") + device[18:]
    assert _sign_in(client, owner.email, PASSWORD, OWNER_TRAVEL, device=forged).status_code == 429


def test_guesses_on_a_known_device_token_are_limited_too(make_app: AppFactory) -> None:
    """A stolen device token buys its own small allowance, not a way round the limits."""
    app = make_app(login_limit_per_device=3)
    client = app.test_client()
    owner = Member(client, "stolen-device@example.com")
    device = _sign_in(client, owner.email, PASSWORD, OWNER_HOME).json["device_token"]
    statuses = [
        _sign_in(client, owner.email, f"guess-{n}-xxxxxx", ATTACKER, device).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    answer = _sign_in(client, owner.email, PASSWORD, ATTACKER, device)
    assert answer.status_code == 429 and problem_code(answer) == "rate-limited"
    # Elsewhere, the owner signs in as usual.
    assert _sign_in(client, owner.email, PASSWORD, OWNER_HOME).status_code == 200


def test_a_malformed_device_token_is_refused_as_a_field(client: FlaskClient) -> None:
    owner = Member(client, "malformed@example.com")
    answer = _sign_in(client, owner.email, PASSWORD, OWNER_HOME, device="not a token")
    assert answer.status_code == 422
