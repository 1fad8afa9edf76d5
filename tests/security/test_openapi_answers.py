"""The OpenAPI document shows the answers issue 13 added: 403 for profile tokens and missing
passwords, 429 for limited checks and sign-ups, 401 for ended sessions."""

from __future__ import annotations

from flask.testing import FlaskClient

EXPECTED = {
    ("post", "/api/users"): {"429"},
    ("patch", "/api/users/{user_id}"): {"401", "403", "429"},
    ("delete", "/api/users/{user_id}"): {"401", "403", "429"},
    ("get", "/api/users"): {"401", "403"},
    ("post", "/api/users/{user_id}/profiles"): {"401", "403", "429"},
    ("patch", "/api/users/{user_id}/profiles/{profile_id}"): {"401", "403", "429"},
    ("delete", "/api/users/{user_id}/profiles/{profile_id}"): {"401", "403", "429"},
    ("post", "/api/users/{user_id}/profiles/{profile_id}/token"): {"401", "403", "429"},
    ("post", "/api/auth/token"): {"401", "429"},
}


def test_issue_13_answers_are_in_the_openapi_document(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json or {}
    for (method, path), codes in EXPECTED.items():
        responses = spec["paths"][path][method]["responses"]
        assert codes <= set(responses), (method, path, sorted(responses))
    deletion = spec["paths"]["/api/users/{user_id}"]["delete"]["requestBody"]
    assert deletion["required"] is False  # the service says 403 password-required instead
    schemas = spec["components"]["schemas"]
    assert "password" in schemas["AccountDelete"]["properties"]
    assert {"pin", "password"} <= set(schemas["ProfileDelete"]["properties"])
    assert "country" in schemas["Member"]["properties"]
    assert (
        "account-token-required"
        in spec["paths"]["/api/users"]["get"]["responses"]["403"]["description"]
    )
