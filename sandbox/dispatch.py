"""One Graph request through the sandbox: authenticate, route, authorise, limit, handle.

Plain requests and ``$batch`` sub-requests both come through ``Sandbox.handle`` so they get
the same checks, limits and faults.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sandbox.context import Ctx
from sandbox.directory import Directory
from sandbox.errors import (
    ApplicationThrottled,
    ErrorAccessDenied,
    ErrorInvalidUser,
    GatewayTimeout,
    GraphError,
    ResourceNotFound,
    ServiceUnavailable,
    error_body,
)
from sandbox.identity.tokens import Caller, TokenService
from sandbox.limits import Limits
from sandbox.permissions import PermissionLog, grant_for, permission_for
from sandbox.router import GraphRequest, GraphResponse, Route, Router
from sandbox.store import Store
from sandbox.subscriptions.delivery import Notifier

__all__ = ["DroppedConnection", "Sandbox"]

log = logging.getLogger(__name__)

_ME = re.compile(r"^/me(?=/|$)", re.IGNORECASE)
_USER = re.compile(r"^/users/(?P<user>[^/]+)", re.IGNORECASE)

# Graph refuses larger requests with 413 (BadRequest, "The maximum request length supported is
# 4MB."); OneDrive uploads (simple PUT, upload sessions) have their own, larger limits.
MAX_REQUEST_BYTES = 4 * 1024 * 1024


def _unexpected(req: GraphRequest, exc: Exception) -> GraphError:
    """Last resort for a handler bug: log it, answer Graph's 500 body."""
    log.error("unhandled error in %s %s", req.method, req.path, exc_info=exc)
    return GraphError("General exception while processing.", code="generalException", status=500)


class DroppedConnection(Exception):
    """Raised by the transport layer to cut a connection mid-response (fault injection)."""


@dataclass
class Sandbox:
    store: Store
    directory: Directory
    tokens: TokenService
    limits: Limits
    router: Router
    base_url: str  # https://host:port/v1.0
    admin_enabled: bool = False
    permissions: PermissionLog = field(default_factory=PermissionLog)
    # Change notifications: watches the store, delivers to subscribers' webhooks.
    notifications: Notifier = field(init=False)

    def __post_init__(self) -> None:
        self.notifications = Notifier(self.store, tenant_id=lambda: self.tokens.tenant_id)

    async def handle(self, req: GraphRequest, *, caller: Caller | None = None) -> GraphResponse:
        """Answer one request; every GraphError becomes Graph's error body."""
        req.request_id = req.request_id or str(uuid.uuid4())
        client_request_id = req.headers.get("client-request-id") or req.request_id
        try:
            resp = await self._handle(req, caller)
        except DroppedConnection:
            raise
        except Exception as exc:  # a handler bug still answers in Graph's shape, never a traceback
            err = exc if isinstance(exc, GraphError) else _unexpected(req, exc)
            resp = GraphResponse(
                status=err.status,
                body=error_body(
                    err,
                    request_id=req.request_id,
                    client_request_id=client_request_id,
                    now=self.store.clock.now(),
                ),
                headers=dict(err.headers),
            )
            if err.status == 401:
                resp.headers["WWW-Authenticate"] = (
                    f'Bearer realm="", authorization_uri="{self.tokens.base_url}/'
                    f'common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
                )
        resp.headers["request-id"] = req.request_id
        resp.headers["client-request-id"] = client_request_id
        return resp

    async def _handle(self, req: GraphRequest, caller: Caller | None) -> GraphResponse:
        path = req.path or "/"
        route, params = self.router.match(req.method, self._rewrite_me(path, None))
        if route.resource == "anonymous":  # pre-authenticated URLs fail like the rest
            drop_after = self._inject_fault(req)
            resp = await route.handler(self._ctx(req, None, None), **params)
            if drop_after:
                raise DroppedConnection()
            return resp
        if caller is None:
            caller = self.tokens.graph_caller(req.headers.get("authorization"))
        path = self._rewrite_me(path, caller)
        route, params = self.router.match(req.method, path)
        req.path = path
        if len(req.body) > MAX_REQUEST_BYTES and route.resource not in ("drive", "site"):
            raise GraphError("The maximum request length supported is 4MB.", status=413)
        mailbox = None
        if "user" in params:
            mailbox = self.directory.user(params["user"])
            if mailbox is None and route.resource == "calendar":
                mailbox = self.directory.mailbox(params["user"])  # a room mailbox's calendar
            if mailbox is None:
                if route.resource == "directory":
                    raise ResourceNotFound(
                        f"Resource '{params['user']}' does not exist or one of its queried"
                        " reference-property objects are not present."
                    )
                raise ErrorInvalidUser(f"The requested user '{params['user']}' is invalid.")
            params["user"] = mailbox["id"]
        self._authorise(caller, mailbox, route)
        drop_after = route.resource != "batch" and self._inject_fault(req)
        ctx = self._ctx(req, caller, mailbox)
        key = mailbox["id"] if mailbox is not None and route.resource != "directory" else None
        async with self.limits.slot(caller.app_id, key):
            resp = await route.handler(ctx, **params)
        if drop_after:
            if req.in_batch:
                raise GatewayTimeout()
            raise DroppedConnection()
        return resp

    def _ctx(self, req: GraphRequest, caller: Caller | None, mailbox: dict[str, Any] | None) -> Ctx:
        anonymous = Caller(app_id="", user_id=None, upn=None, scopes=frozenset(), roles=frozenset())
        return Ctx(
            store=self.store,
            directory=self.directory,
            caller=caller or anonymous,
            request=req,
            base_url=self.base_url,
            services=self,
            mailbox=mailbox,
        )

    def _rewrite_me(self, path: str, caller: Caller | None) -> str:
        if not _ME.match(path):
            return path
        if caller is None:
            return _ME.sub("/users/me", path)
        if caller.user_id is None:
            raise GraphError(
                "/me request is only valid with delegated authentication flow.",
                code="BadRequest",
            )
        return _ME.sub(f"/users/{caller.user_id}", path)

    def _authorise(self, caller: Caller, mailbox: dict[str, Any] | None, route: Route) -> None:
        if route.resource == "subscriptions":
            return  # the watched mailbox is in the body: sandbox.subscriptions authorises it
        self.authorise(
            caller, mailbox, method=route.method, template=route.template, resource=route.resource
        )

    def authorise(
        self,
        caller: Caller,
        mailbox: dict[str, Any] | None,
        *,
        method: str,
        template: str,
        resource: str,
    ) -> None:
        """The endpoint's permission (``permissions.py``), then Exchange's view of the mailbox:
        one's own, the owner's delegate rights, or the app's RBAC scope."""
        grant = grant_for(method, template, resource)
        if grant is None:
            return
        own = mailbox is None or mailbox["id"] == caller.user_id
        if not caller.is_app_only and resource == "tasks" and not own:
            raise GraphError("Invalid request", code="invalidRequest")  # To Do has no delegates
        kind, permission = permission_for(grant, caller, own=own, resource=resource)
        if caller.is_app_only:
            app = self.directory.app(caller.app_id)
            in_scope = app is not None and mailbox is not None and mailbox["id"] in app.rbac_scope
            mailbox_bound = resource in ("mail", "calendar", "subscriptions")
            if mailbox_bound and mailbox is not None and not in_scope:
                raise ErrorAccessDenied(
                    "Access to OData is disabled: the mailbox is outside the application's"
                    " RBAC for Applications scope."
                )
        elif not own and resource in ("mail", "calendar"):
            assert mailbox is not None  # not her own
            rights = self.directory.delegate_rights(mailbox["id"], caller.user_id or "")
            if rights.get(resource) not in ("editor", "reviewer", "author"):
                raise ErrorAccessDenied("Access is denied. Check credentials and try again.")
        accepted = grant.application if caller.is_app_only else grant.delegated_for(own=own)
        endpoint = f"{method} {template}"
        self.permissions.record(caller.app_id, kind, permission, endpoint, accepted)

    def _inject_fault(self, req: GraphRequest) -> bool:
        """Raise the drawn fault now; True means: carry the request out, then drop."""
        kind = self.limits.draw_fault()
        if kind is None:
            return False
        if kind == "drop_after":
            return True
        retry = self.limits.settings.retry_after_s
        if kind == "429":
            raise ApplicationThrottled(
                "Application is over its MailboxConcurrency limit.", retry_after=retry
            )
        if kind == "503":
            raise ServiceUnavailable(retry_after=retry)
        if kind == "504" or req.in_batch:
            raise GatewayTimeout()
        raise DroppedConnection()

    def can_write(self, caller: Caller, mailbox_id: str, resource: str) -> bool:
        """Reviewer delegates may read but not change (used by handlers that mutate)."""
        if caller.is_app_only or caller.user_id == mailbox_id:
            return True
        rights = self.directory.delegate_rights(mailbox_id, caller.user_id or "")
        return rights.get(resource) in ("editor", "author")
