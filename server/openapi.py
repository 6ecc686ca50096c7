"""The OpenAPI description as clients need it: every error an operation can answer, and how
to sign in.

FastAPI documents a route's success and, where it has parameters, a 422 in its own
``HTTPValidationError`` shape. Ours answers every error as ``ErrorResponse``, and any
``/api/v1`` operation can refuse a missing token (401), a role that may not (403), an item
that is gone (404) or one changed meanwhile (409); one that takes input also a 422 (the
schema's rules, or a rule of the domain the schema cannot say), and one with a body a body
that is not JSON at all (400): all of that is added here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from server.errors import ErrorResponse

__all__ = ["API_PREFIX", "install_openapi", "json_body"]

API_PREFIX = "/api/v1/"
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
ERROR_ANSWERS = {
    "401": "Niet aangemeld: het token ontbreekt, is verlopen of is niet voor deze API.",
    "403": "Aangemeld, maar het rooster of Microsoft 365 staat dit niet toe.",
    "404": "Niet gevonden, of niet zichtbaar voor wie vraagt.",
    "409": "Intussen gewijzigd of in gebruik: lees opnieuw en probeer het nog eens.",
}
INVALID = (
    "De vraag klopt niet: een parameter of het bericht voldoet niet aan het schema"
    " (invalid_request), of het botst met een regel die het schema niet kan uitdrukken, zoals"
    " een collega die niet in het rooster staat (een eigen code)."
)
UNREADABLE = "Het bericht is onleesbaar: geen JSON, of geen UTF-8."
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "Een Entra ID-toegangstoken voor het API-bereik van deze toepassing.",
}


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` by one that completes FastAPI's description (built once)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # FastAPI's own caches it too: this runs once
            app.openapi_schema = with_error_answers(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_error_answers(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the error answers and the bearer scheme on every ``/api/v1`` operation."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error.pop("$defs", {}))
    schemas["ErrorResponse"] = error
    components.setdefault("securitySchemes", {})["bearer"] = BEARER
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_ANSWERS.items():
                responses.setdefault(status, _answer(description))
            if "422" in responses or "requestBody" in operation or operation.get("parameters"):
                responses["422"] = _answer(INVALID)
            if "requestBody" in operation:  # FastAPI answers 400 when it cannot parse one
                responses.setdefault("400", _answer(UNREADABLE))
            operation.setdefault("security", [{"bearer": []}])
    # FastAPI's 422 shape, now referenced by nothing (our 422 is an ErrorResponse too).
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f"#/components/schemas/{unused}" not in _refs(schema):
            del schemas[unused]
    return schema


def _answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route that takes its JSON body raw (to report every problem in
    its own words) but whose clients must still see the shape: ``model``'s schema, inlined."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    content = {"application/json": {"schema": inline(schema)}}
    return {"requestBody": {"required": True, "content": content}}
