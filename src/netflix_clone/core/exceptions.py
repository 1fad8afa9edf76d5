"""Domain exceptions: what services, the kernel and the CLI raise and catch.

They know nothing of HTTP. The web layer (`web/errors.py`) maps each class to a status and a problem
document in one table; the CLI prints `detail` and exits non-zero. A service never raises an
HTTP error and never needs a request to run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One field's problem, named as the client sent it."""

    field: str
    message: str


class DomainError(Exception):
    """A failure a caller can understand and act on.

    `code` is a stable slug clients may branch on; `detail` is a sentence for people; `errors`
    names fields; `extra` carries structured facts (limits, ids) for the client.
    """

    default_code: ClassVar[str] = "error"
    # Seconds a client should wait when the failure itself does not say (`retry_after` None).
    default_retry_after: ClassVar[int | None] = None

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: Sequence[FieldError] = (),
        extra: Mapping[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.errors = list(errors)
        self.extra = dict(extra or {})
        self.retry_after = retry_after

    def describe(self) -> str:
        """One line for a terminal or a log: the detail and any field problems."""
        fields = "; ".join(f"{e.field}: {e.message}" for e in self.errors)
        return f"{self.detail} ({fields})" if fields else self.detail


class Invalid(DomainError):
    """The input is well-formed but breaks a rule (a value, a combination, a policy)."""

    default_code = "validation-failed"

    @classmethod
    def field(cls, name: str, message: str, detail: str | None = None) -> Invalid:
        return cls(detail or f"{name}: {message}.", errors=[FieldError(name, message)])


class Unauthenticated(DomainError):
    """No valid credentials: a missing, expired or revoked token, or a wrong password."""

    default_code = "unauthorized"


class Forbidden(DomainError):
    """Known caller, not allowed to do this."""

    default_code = "forbidden"


class NotFound(DomainError):
    default_code = "not-found"


def not_found(what: str = "resource") -> NotFound:
    return NotFound(f"The {what} was not found.")


class Conflict(DomainError):
    """The current state refuses the change (a duplicate, a limit, a concurrent change)."""

    default_code = "conflict"


class RateLimited(DomainError):
    """Too many attempts; `retry_after` seconds until the next one may succeed."""

    default_code = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int, **kwargs: Any) -> None:
        kwargs.setdefault("extra", {"retry_after": retry_after})
        super().__init__(detail, retry_after=max(1, retry_after), **kwargs)


class Unavailable(DomainError):
    """A dependency we need (the database, the catalog's upstream) can't serve us right now."""

    default_code = "unavailable"

    def __init__(self, detail: str, *, retry_after: int = 1, **kwargs: Any) -> None:
        super().__init__(detail, retry_after=max(1, retry_after), **kwargs)


class UpstreamFailed(DomainError):
    """A dependency answered, but with an error or an unusable answer."""

    default_code = "bad-upstream"


class TimedOut(DomainError):
    """A dependency did not answer in time."""

    default_code = "upstream-timeout"

    def __init__(self, detail: str, *, retry_after: int = 5, **kwargs: Any) -> None:
        super().__init__(detail, retry_after=max(1, retry_after), **kwargs)
