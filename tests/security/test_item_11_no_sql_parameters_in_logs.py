"""Item 11: logs never hold SQL parameters (emails, password hashes), nor the database's own
error text that quotes them."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from netflix_clone.accounts import service
from netflix_clone.web.deps import db_session
from tests.conftest import Member

EMAIL = "secret-member@example.com"


def test_item_11_the_log_never_holds_an_email_or_a_hash(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even with the engine's own SQL logging switched on (an operator debugging in prod).
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    client = app.test_client()
    member = Member(client, EMAIL)
    assert client.get("/api/users/me", headers=member.headers).status_code == 200
    with app.app_context():
        stored_hash = db_session().execute(text("SELECT password_hash FROM users")).scalar_one()
        db_session().rollback()

    # A bug that makes the database refuse a row (its message quotes the row) is a 500 whose
    # log line names the statement, not the values.
    def broken(*_: Any) -> Any:
        db_session().execute(
            text("INSERT INTO users (id, email) VALUES (:id, :email)"),
            {"id": member.id, "email": EMAIL},
        )

    monkeypatch.setattr(service, "acting_user", broken)
    failed = client.get("/api/users/me", headers=member.headers)
    assert failed.status_code == 500
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert EMAIL not in logged
    assert stored_hash not in logged
    # The log was there to look into: the engine's statements and the failure's line.
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    assert any("database error" in r.getMessage() for r in caplog.records)
