"""One JSON error shape for the whole API: ``{"error": {"code", "message", "request_id"}}``.

The task pane's fragments (``/pane/...``) get the same error as the pane's error partial, in
HTML, so the pane shows a readable message instead of JSON.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from automations.errors import AppError
from automations.validation import dutch_message
from server.pane import templates

__all__ = ["ApiError", "ErrorResponse", "allowed_methods", "error_response",
           "install_error_handlers"]  # fmt: skip

log = logging.getLogger(__name__)

# The methods a route can declare, in the order an ``Allow`` header lists them.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class ErrorDetail(BaseModel):
    code: str  # stable, for programs: "not_found", "claimed", "invalid_request" …
    message: str  # for people, in Dutch
    request_id: str  # also in the X-Request-Id header and in our logs


class ErrorResponse(BaseModel):
    """Every error the API answers, whatever its status."""

    error: ErrorDetail


class ApiError(Exception):
    """An error raised by the HTTP layer itself (authentication, parsing)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


PANE_TITLES = {
    401: "Aanmelden is niet gelukt",
    403: "Geen toegang",
    404: "Niet gevonden",
    409: "Intussen gewijzigd",
    429: "Even geduld",
    503: "Microsoft 365 reageert niet",
    504: "Microsoft 365 reageert niet",
}


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """``message`` is the user's (Dutch); an ``AppError``'s technical detail never goes out."""
    request_id = getattr(request.state, "request_id", "")
    if request.url.path.startswith("/pane/"):
        return _pane_error(request, status, message, request_id, headers, code=code)
    body = {"error": {"code": code, "message": message, "request_id": request_id}}
    return JSONResponse(body, status_code=status, headers=headers)


def _pane_error(
    request: Request, status: int, message: str, request_id: str,
    headers: dict[str, str] | None, *, code: str = "",
) -> Response:  # fmt: skip
    title = PANE_TITLES.get(status, "Er ging iets mis" if status >= 500 else "Dit lukt niet")
    claimed = code == "claimed"  # a colleague works on it: ask, and let her go ahead anyway
    values = {
        "title": "Een collega is hiermee bezig" if claimed else title,
        "message": message,
        "request_id": "" if claimed else request_id,
        "retry": status in (401, 429) or status >= 500,
        "despite": claimed,
    }
    # A fragment for the pane's script to insert; a whole page when Outlook opened the URL.
    fragment = request.url.path.endswith("/inhoud") or request.method != "GET"
    page = "error.html" if fragment else "error_page.html"
    values["retry"] = values["retry"] and page == "error.html"  # the button needs the pane
    values["base_url"] = request.app.state.settings.base_url
    response = templates.TemplateResponse(request, page, values, status_code=status)
    response.headers.update(headers or {})
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request, exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        if exc.request_id or exc.detail:
            log.info("%s: %s (graph request-id %s)", exc.code, exc.detail or exc.message,
                     exc.request_id or "-")  # fmt: skip
        return error_response(request, exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/pane/"):
            names = sorted({str(e.get("loc", ("", ""))[-1]) for e in exc.errors()})
            message = (
                "Het taakvenster vroeg iets wat niet klopt (" + ", ".join(names) + "). Sluit"
                " het taakvenster en open het opnieuw vanuit het bericht."
            )
            return error_response(request, 422, "invalid_request", message)
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            message = dutch_message(err)
            parts.append(f"{where}: {message}" if where else message)
        return error_response(request, 422, "invalid_request", "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # the router names one route's methods; a path may have more
            headers["Allow"] = ", ".join(allowed_methods(request))
        return error_response(request, exc.status_code, code, str(exc.detail), headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error (request %s)", getattr(request.state, "request_id", "-"))
        response = error_response(request, 500, "internal_error", "Er ging iets mis aan onze kant.")
        # Answered outside the app's middleware (Starlette's outermost layer): its header here.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def allowed_methods(request: Request) -> list[str]:
    """The methods some route declares for this request's path (for a 405's ``Allow``)."""
    found: list[str] = []
    # Inside a mount (static files) root_path has grown by the mount's path; the app's is kept.
    root = request.scope.get("app_root_path", request.scope.get("root_path", ""))
    for method in METHODS:
        probe = {"type": "http", "path": request.scope["path"], "method": method,
                 "root_path": root, "headers": [], "query_string": b""}  # fmt: skip
        for route in request.app.router.routes:
            if route.matches(probe)[0] == Match.FULL:
                if isinstance(route, Mount):  # static files: read-only, whatever was asked
                    return ["GET", "HEAD"]
                found.append(method)
                break
    return found
