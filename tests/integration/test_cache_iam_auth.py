"""ElastiCache IAM authentication: the app signs a token as the cache user's password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from netflix_clone.core import redis_store
from netflix_clone.core.redis_store import ElastiCacheIAMToken, connect
from netflix_clone.core.settings import ConfigError
from tests.conftest import test_settings
from tests.faults.servers import PrivateRedis


def test_the_token_is_a_presigned_connect_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    provider = ElastiCacheIAMToken("netflix-clone-dev-app", "Netflix-Clone-Dev", "eu-west-1")
    user, token = provider.get_credentials()
    assert user == "netflix-clone-dev-app"
    # AWS's documented shape: <cache>/?Action=connect&User=<user>&X-Amz-...; no scheme.
    assert token.startswith("netflix-clone-dev/?Action=connect&User=netflix-clone-dev-app&")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in token
    assert "X-Amz-Credential=AKIDEXAMPLE%2F" in token and "%2Feu-west-1%2Felasticache%2F" in token
    assert "X-Amz-Expires=900" in token and "X-Amz-Signature=" in token
    assert provider.get_credentials()[1] == token  # reused, not re-signed per connection


def test_without_aws_credentials_the_cache_is_down_not_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class NoCredentials:
        def get_credentials(self) -> None:
            return None

    provider = ElastiCacheIAMToken("u", "c", "eu-west-1", session=NoCredentials())
    with pytest.raises(redis.ConnectionError):  # what the breaker counts as an outage
        provider.get_credentials()


def test_iam_auth_needs_the_user_and_the_region() -> None:
    with pytest.raises(ConfigError):
        connect(test_settings(redis_url="rediss://host:6379/0", redis_iam_cache_name="c"))


@pytest.fixture
def acl_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    admin = redis.Redis(port=server.port)
    admin.acl_setuser(
        "app-user", enabled=True, passwords=["+signed-token"], keys=["*"], commands=["+@all"]
    )
    admin.acl_setuser("default", enabled=False)
    try:
        yield server
    finally:
        server.stop()


def test_the_app_connects_as_the_cache_user_with_the_signed_token(
    acl_redis: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_store.ElastiCacheIAMToken, "_sign", lambda self: "signed-token")
    url = f"redis://app-user@127.0.0.1:{acl_redis.port}/0"
    guarded = connect(
        test_settings(
            redis_url=url, redis_iam_cache_name="netflix-clone-dev", aws_region="eu-west-1"
        )
    )
    assert guarded is not None
    assert guarded.status() == "ok"
    assert guarded.run(lambda r: r.acl_whoami()) == "app-user"
    # Without the token the default user (switched off, as in ElastiCache) gets nowhere.
    plain = connect(test_settings(redis_url=f"redis://127.0.0.1:{acl_redis.port}/0"))
    assert plain is not None and plain.status() == "degraded"
