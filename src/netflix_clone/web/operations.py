"""Typed HTTP operations: request parsing with pydantic, JSON responses, and the OpenAPI document.

A handler is declared once with `@operation(...)`; the same declaration drives validation of the
request, the shape of the response and its entry in `/openapi.json`, so the spec cannot drift
from the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal

from flask import Flask, Response, request
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.json_schema import models_json_schema
from werkzeug.routing import BaseConverter

from netflix_clone.core import db as db_unit
from netflix_clone.core.exceptions import DomainError, FieldError
from netflix_clone.core.ratelimit import requester
from netflix_clone.web.deps import current_session, reads_only
from netflix_clone.web.errors import PROBLEM_CONTENT_TYPE, ApiError
from netflix_clone.web.sessions import authenticate, confirm_session

JSON_TYPES = ("application/json",)
MAX_ID = 2**63 - 1
SAFE_METHODS = ("GET", "HEAD")  # their units of work are read-only (db.read_only)


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None
    request_id: str | None = None


class IdConverter(BaseConverter):
    """Positive database ids that fit in a BIGINT; anything else is simply not a route (404)."""

    regex = r"[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(int(value))


class KindConverter(BaseConverter):
    """A title's kind in a path: `movie` or `series`; anything else is not a route (404)."""

    regex = r"movie|series"


@dataclass
class Operation:
    summary: str
    tags: list[str]
    responses: dict[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    auth: bool | Literal["optional"] = False
    errors: tuple[int, ...] = ()
    description: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)
    # The body may be left out (a DELETE that needs a PIN only sometimes): then every field
    # takes its default.
    body_optional: bool = False


def operation(
    *,
    summary: str,
    tags: Iterable[str],
    response: type[BaseModel] | None = None,
    status: int = 200,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    auth: bool | Literal["optional"] = False,
    errors: Iterable[int] = (),
    description: str = "",
    extra_responses: dict[int, type[BaseModel] | None] | None = None,
    response_headers: dict[str, str] | None = None,
    body_optional: bool = False,
    defer_session_check: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Declare a JSON operation. The handler receives path params plus `body` and/or `query`.

    `defer_session_check`: the handler settles whether the token's session has ended in its
    own database statement (security.settle_session) instead of a revocation-set round trip;
    whatever it leaves owed is confirmed here before the unit of work commits."""
    responses: dict[int, type[BaseModel] | None] = {status: response}
    responses.update(extra_responses or {})
    op = Operation(
        summary=summary,
        tags=list(tags),
        responses=responses,
        body=body,
        query=query,
        auth=auth,
        errors=tuple(errors),
        description=description,
        response_headers=response_headers or {},
        body_optional=body_optional,
    )

    def decorate(fn: Callable[..., Any]) -> Callable[..., Response]:
        @wraps(fn)
        def wrapper(**kwargs: Any) -> Response:
            if request.method in SAFE_METHODS:
                reads_only()
            if op.auth is True or (op.auth == "optional" and "Authorization" in request.headers):
                principal = authenticate(defer_session_check=defer_session_check)
                requester.set(f"user:{principal.user_id}")
            if op.query is not None:
                kwargs["query"] = parse_query(op.query)
            if op.body is not None:
                if op.body_optional and not request.content_length and not request.data:
                    kwargs["body"] = op.body()
                else:
                    kwargs["body"] = parse_body(op.body)
            # One unit of work per request: services write, the request commits once.
            try:
                result = fn(**kwargs)
            except DomainError:
                confirm_session()  # an ended session learns that, and nothing else
                session = current_session()
                if session is not None and db_unit.kept_on_error(session):
                    db_unit.commit(session)
                raise
            confirm_session()  # if the handler has not settled it, before anything is kept
            session = current_session()
            if session is not None:
                db_unit.commit(session)
            return to_response(result, status)

        wrapper.openapi_operation = op  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _field_errors(exc: ValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        out.append(FieldError(loc, message))
    return out


def parse_body(model: type[BaseModel]) -> BaseModel:
    mimetype = request.mimetype
    if mimetype not in JSON_TYPES:
        raise ApiError(
            415, "Send the request body as application/json.", code="unsupported-media-type"
        )
    raw = request.get_data(cache=True)
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise ApiError(
                400, "The request body is not valid JSON.", code="malformed-json"
            ) from None
        if any(e["type"] == "model_type" and not e["loc"] for e in exc.errors()):
            raise ApiError(
                422, "The request body must be a JSON object.", code="validation-failed"
            ) from None
        raise ApiError(
            422,
            "The request body has invalid fields.",
            code="validation-failed",
            errors=_field_errors(exc),
        ) from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict(flat=True))
    except ValidationError as exc:
        raise ApiError(
            422,
            "The query string has invalid parameters.",
            code="validation-failed",
            errors=_field_errors(exc),
        ) from None


def json_response(payload: BaseModel | dict[str, Any] | list[Any], status: int = 200) -> Response:
    if isinstance(payload, BaseModel):
        text = payload.model_dump_json(by_alias=True)
    else:
        from flask import json

        text = json.dumps(payload)
    return Response(text, status=status, mimetype="application/json")


def to_response(result: Any, default_status: int) -> Response:
    if isinstance(result, Response):
        return result
    headers: dict[str, str] = {}
    status = default_status
    if isinstance(result, tuple):
        if len(result) == 3:
            result, status, headers = result
        else:
            result, status = result
    if result is None:
        response = Response(status=204 if status in (200, 204) else status)
    else:
        response = json_response(result, status)
    response.headers.update(headers)
    return response


# --- OpenAPI ---------------------------------------------------------------------------------

_PATH_PARAM = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _PATH_PARAM.finditer(rule):
        conv = match.group("conv") or "default"
        if conv in ("id", "int"):
            schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        elif conv == "kind":
            schema = {"type": "string", "enum": ["movie", "series"]}
        else:
            schema = {"type": "string", "pattern": r"^[^/]+$"}
        params.append(
            {"name": match.group("name"), "in": "path", "required": True, "schema": schema}
        )
    return _PATH_PARAM.sub(lambda m: "{" + m.group("name") + "}", rule), params


_ERROR_TEXT = {
    400: "Malformed request: not valid HTTP/1.1, or a body that is not JSON.",
    401: "Missing, invalid or expired access token, a session that has ended, or wrong "
    "credentials.",
    403: "Authenticated, but not allowed to do this: `account-token-required` (a profile token "
    "can't manage the account or its profiles), `password-required`, `pin-required`, "
    "`wrong-pin`, `maturity-restricted`, or not an admin.",
    404: "No such resource (or not yours).",
    409: "Conflicts with the current state (for example, a duplicate).",
    413: "The request body is too large (chunked bodies included).",
    414: "The request line (method, path and query) is too long.",
    415: "The body is not application/json.",
    422: "The request is well-formed but has invalid values.",
    429: "Too many requests, password/PIN attempts, or catalog lookups that need TMDB (each "
    "member's share); retry after the `Retry-After` seconds.",
    431: "Too many or too large header fields.",
    502: "The upstream catalog answered with an error.",
    503: "A dependency is unavailable or not configured, every password-hashing slot is busy "
    "(`busy`), or a title's age rating can't be checked (`rating-unavailable`); may carry "
    "`Retry-After`.",
    504: "The upstream catalog did not answer in time.",
}


def _operation_spec(
    path: str,
    method: str,
    op: Operation,
    path_params: list[dict[str, Any]],
    schemas: dict[str, Any],
    ref: Callable[[type[BaseModel], str], dict[str, Any]],
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "summary": op.summary,
        "tags": op.tags,
        "operationId": f"{method}_{path}".replace("/", "_").replace("{", "").replace("}", ""),
    }
    if op.description:
        spec["description"] = op.description
    parameters = list(path_params)
    if op.query:
        qschema = schemas.get(op.query.__name__) or op.query.model_json_schema()
        required = set(qschema.get("required", []))
        for name, prop in qschema.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                param["description"] = prop["description"]
            parameters.append(param)
    if parameters:
        spec["parameters"] = parameters
    if op.body:
        spec["requestBody"] = {
            "required": not op.body_optional,
            "content": {"application/json": {"schema": ref(op.body, "validation")}},
        }
    responses: dict[str, Any] = {}
    for code, model in op.responses.items():
        entry: dict[str, Any] = {"description": "Success" if code < 300 else "See body"}
        if model is not None:
            entry["content"] = {"application/json": {"schema": ref(model, "serialization")}}
        if op.response_headers and code < 300:
            entry["headers"] = {
                name: {"description": text, "schema": {"type": "string"}}
                for name, text in op.response_headers.items()
            }
        responses[str(code)] = entry
    # What the server itself answers before any handler runs, for every operation.
    error_codes = set(op.errors) | {400, 414, 431}
    if op.body:
        error_codes |= {400, 413, 415, 422}
    if op.query:
        error_codes.add(422)
    if op.auth:
        error_codes.add(401)  # also for "optional": a token that is sent must be valid
    if path_params:
        error_codes.add(404)
    problem = {PROBLEM_CONTENT_TYPE: {"schema": ref(Problem, "serialization")}}
    for code in sorted(error_codes):
        responses[str(code)] = {"description": _ERROR_TEXT.get(code, "Error"), "content": problem}
    spec["responses"] = responses
    if op.auth == "optional":
        spec["security"] = [{}, {"bearerAuth": []}]
    elif op.auth:
        spec["security"] = [{"bearerAuth": []}]
    return spec


def build_openapi(app: Flask, *, title: str, version: str, description: str) -> dict[str, Any]:
    operations: list[tuple[str, str, Operation, list[dict[str, Any]]]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        op: Operation | None = getattr(view, "openapi_operation", None)
        if op is None:
            continue
        path, params = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations.append((path, method.lower(), op, params))

    models: list[tuple[type[BaseModel], Any]] = [(Problem, "serialization")]
    for _, _, op, _ in operations:
        if op.body:
            models.append((op.body, "validation"))
        if op.query:
            models.append((op.query, "validation"))
        models.extend((m, "serialization") for m in op.responses.values() if m)
    refs, top = models_json_schema(models, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = top.get("$defs", {})

    def ref(model: type[BaseModel], mode: str) -> dict[str, Any]:
        return dict(refs[(model, mode)])  # type: ignore[index]

    paths: dict[str, dict[str, Any]] = {}
    for path, method, op, path_params in operations:
        paths.setdefault(path, {})[method] = _operation_spec(
            path, method, op, path_params, schemas, ref
        )
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
    }
