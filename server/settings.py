"""One ``Settings`` for the backend, read from ``SECRETARIAAT_*`` variables when the app starts.

Mode ``sandbox`` (the default) takes tenant, client and CA from the sandbox's
``connection.json``; mode ``tenant`` takes them from the environment and refuses placeholders.

Sandbox mode lets anyone sign in as anyone (``/dev/outlook/aanmelden``): it is for a demo on
one machine, so it listens on loopback only (``is_loopback``; ``secretariaat serve`` refuses
another ``--host`` and the app refuses requests that arrived on another address).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from automations.clock import Clock, SystemClock, parse_clock
from automations.fields import MAILBOX_PATTERN
from automations.graph.config import ClientCertificate
from automations.jobs.registry import JobSettings
from automations.store.db import is_sqlite
from automations.tasks import WorkerSettings

__all__ = [
    "DEMO_NOTICE_MAILBOX",
    "MAIL_NOTIFICATIONS_PATH",
    "OUTLOOK_ORIGINS",
    "Identity",
    "Settings",
    "SettingsError",
    "is_loopback",
    "is_public_https",
]

PLACEHOLDERS = {"", "changeme", "change-me", "secret", "your-secret", "xxx", "todo", "placeholder"}

# The origins of Outlook on the web (and the new Outlook on Windows, which is the same web app)
# that host the task pane in an iframe: the Microsoft 365 addresses old and new
# (outlook.office.com, outlook.office365.com, outlook.cloud.microsoft) and Outlook.com.
# Outlook on Windows (classic), Mac and mobile show the pane in a web view as the top-level
# page, where frame-ancestors does not apply. An on-premises OWA adds its own origin.
OUTLOOK_ORIGINS = (
    "https://outlook.office.com",
    "https://outlook.office365.com",
    "https://outlook.cloud.microsoft",
    "https://outlook.live.com",
)
# One CSP source: an https origin, optionally a wildcard subdomain, nothing that ends the list.
# The demo's secretariat mailbox (sandbox/seed/demo.yaml), inside its app's RBAC scope.
DEMO_NOTICE_MAILBOX = "secretariaat@zeeveen.nl"
_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_ORIGIN = re.compile(rf"https://(\*\.)?{_LABEL}(\.{_LABEL})*(:\d{{1,5}})?")


# Where Graph posts change notifications for the executives' Inboxes (server/routes/
# mail_notifications.py); the subscriptions name SECRETARIAAT_BASE_URL + this path.
MAIL_NOTIFICATIONS_PATH = "/graph/notifications"


def is_public_https(url: str) -> bool:
    """Whether Microsoft could reach ``url``: https on a host that is not loopback, not a
    private, link-local or reserved address, and not a bare name without a dot. A name that
    resolves inside a closed network still passes: set ``SECRETARIAAT_MAIL_NOTIFICATIONS``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or is_loopback(host) or "." not in host.strip("[]"):
        return False
    if host.endswith((".local", ".localhost", ".internal", ".lan", ".home.arpa")):
        return False
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return True
    return address.is_global


def is_loopback(host: str | None) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1; any other name or address is not."""
    if not host:
        return False
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which setting and why."""


@dataclass(frozen=True)
class Identity:
    """Where the tenant is and who the backend is in it."""

    tenant_id: str
    client_id: str
    client_secret: SecretStr | None  # None: the certificate only
    authority: str  # https://login.microsoftonline.com/{tenant}
    graph_url: str
    api_audience: str  # api://{client_id}
    ca_cert: Path | None  # the sandbox CA; None: the system's trust store
    client_certificate: ClientCertificate | None = None  # signs in instead of the secret

    @property
    def issuer(self) -> str:
        return f"{self.authority}/v2.0"

    @property
    def jwks_url(self) -> str:
        return f"{self.authority}/discovery/v2.0/keys"

    @property
    def audiences(self) -> tuple[str, ...]:
        return (self.client_id, self.api_audience)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SECRETARIAAT_", extra="forbid")

    mode: Literal["sandbox", "tenant"] = "sandbox"
    sandbox_state: Path = Path("var/sandbox")
    database_url: str = "sqlite+aiosqlite:///var/secretariaat.sqlite3"
    base_url: str = "https://127.0.0.1:8443"
    roster_file: Path | None = None
    quicksteps_file: Path | None = None
    templates_file: Path | None = None
    # An approval waiting this long reminds the executive (and again after each such period).
    approval_reminder_hours: int = Field(default=24, ge=1, le=24 * 14)
    # Calamity clear: items with one of these categories stay; own appointments without
    # attendees are removed unless this says otherwise.
    calamity_keep_categories: list[str] = Field(default_factory=lambda: ["Niet verplaatsen"])
    calamity_remove_appointments: bool = True
    # Meeting folders: the types (and which target each uses), and the local target's root.
    meetings_file: Path | None = None
    meetings_root: Path = Path("var/vergadermappen")
    # Scheduled jobs in the server process: on in tenant mode unless set; schedules per job
    # as cron expressions, e.g. SECRETARIAAT_JOBS_SCHEDULE='{"daily-overview": "30 17 * * 1-5"}'.
    jobs_enabled: bool | None = None
    claim_minutes: int = Field(default=30, ge=1, le=24 * 60)  # "ik pak dit op" expires after
    flagged_days: int = Field(default=3, ge=0, le=365)  # flagged mail older goes to the queue
    job_time_limit_s: float = Field(default=120.0, gt=0, le=3600)  # per job and mailbox
    jobs_schedule: dict[str, str] = Field(default_factory=dict)
    # Who may frame the task pane (CSP frame-ancestors, with 'self' for /dev/outlook).
    pane_frame_ancestors: list[str] = Field(default_factory=lambda: list(OUTLOOK_ORIGINS))
    # Sandbox mode only: run the product on a set day ("2026-11-24", 10:00 there) or moment
    # (ISO with offset), the clock running on from there; a demo or a test on any day.
    clock: str | None = None

    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    # A PEM file with the app's private key and its certificate (uploaded to the app
    # registration): the backend then signs in with the certificate instead of the secret.
    client_certificate: Path | None = None
    authority_host: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com/v1.0"
    api_audience: str | None = None
    # The secretariat's shared mailbox that notices sent with the app's own identity come from
    # (approvals asked from the CLI): inside the app's RBAC for Applications scope, as the
    # secretaries' own mailboxes are not. Tenant mode: required for those; sandbox: the demo's.
    notice_mailbox: str | None = Field(default=None, max_length=320, pattern=MAILBOX_PATTERN)
    # Mail as it arrives: Graph change notifications to our webhook, or the Inbox delta on a
    # timer where Microsoft cannot reach SECRETARIAAT_BASE_URL. Unset: webhook when the base
    # URL is public https (``is_public_https``), poll otherwise (the demo, a closed network).
    mail_notifications: Literal["webhook", "poll"] | None = None
    mail_poll_s: float = Field(default=30.0, ge=1, le=3600)  # poll: seconds between reads
    # Long work (a calamity clear) runs as tasks (``automations.tasks``). This process runs a
    # worker of its own unless set false: instances then leave tasks to `secretariaat worker`
    # processes (PostgreSQL only; with SQLite the tasks live in this process's memory).
    worker_in_process: bool = True
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    worker_heartbeat_s: float = Field(default=5.0, gt=0, le=300)
    worker_stalled_s: float = Field(default=30.0, gt=0, le=3600)  # silent this long: dead
    worker_grace_s: float = Field(default=10.0, ge=0, le=600)  # stopping: time to finish
    # Fernet keys sealing the delegations workers act with, comma-separated, the newest
    # first (rotation: prepend a new key, drop the old one after a day). Unset: derived from
    # the client secret, which every instance shares already.
    token_keys: SecretStr | None = None
    # Observability (docs/observability.md). Log lines as text or one JSON object per line;
    # the bearer token a scraper of /metrics must send (tenant mode: /metrics is off without
    # it; sandbox: loopback only, and the token too when set); the key of the mailboxes'
    # pseudonyms in metrics and logs (unset: derived from the client secret or certificate).
    log_format: Literal["text", "json"] = "text"
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    pseudonym_key: SecretStr | None = Field(default=None, min_length=16)
    # The audit log's LDV export: action family (calamity, approval, quickstep, …) → URI of
    # the processing activity in the municipality's register (AVG art. 30), as JSON.
    ldv_activities: dict[str, str] = Field(default_factory=dict)

    def job_settings(self) -> JobSettings:
        """What the scheduled jobs are given, in every process that runs them."""
        return JobSettings(
            base_url=self.base_url, approval_reminder_hours=self.approval_reminder_hours,
            flagged_days=self.flagged_days, time_limit_s=self.job_time_limit_s,
            mail_webhook_url=self.mail_webhook_url(),
        )  # fmt: skip

    def worker_settings(self) -> WorkerSettings:
        return WorkerSettings(
            concurrency=self.worker_concurrency, heartbeat_s=self.worker_heartbeat_s,
            stalled_s=self.worker_stalled_s, recover_every_s=min(5.0, self.worker_heartbeat_s),
            grace_s=self.worker_grace_s,
        )  # fmt: skip

    @model_validator(mode="after")
    def _workers_need_a_shared_queue(self) -> Settings:
        if not self.worker_in_process and is_sqlite(self.database_url):
            raise ValueError(
                "SECRETARIAAT_WORKER_IN_PROCESS=false needs PostgreSQL: with SQLite the task"
                " queue lives in this process, so no other worker could run its tasks"
            )
        return self

    def mail_watch(self) -> Literal["webhook", "poll"]:
        """How this backend learns of new mail (see ``mail_notifications``)."""
        if self.mail_notifications is not None:
            return self.mail_notifications
        return "webhook" if is_public_https(self.base_url) else "poll"

    def mail_webhook_url(self) -> str | None:
        """The notification URL the subscriptions name; ``None`` when polling."""
        if self.mail_watch() != "webhook":
            return None
        return self.base_url.rstrip("/") + MAIL_NOTIFICATIONS_PATH

    @model_validator(mode="after")
    def _webhook_needs_https(self) -> Settings:
        if self.mail_notifications == "webhook" and urlsplit(self.base_url).scheme != "https":
            raise ValueError(
                "SECRETARIAAT_MAIL_NOTIFICATIONS=webhook needs an https SECRETARIAAT_BASE_URL:"
                " Microsoft Graph posts notifications over https only"
            )
        return self

    def notice_sender(self) -> str:
        """Where app-sent notices come from; a ``SettingsError`` in tenant mode when unset."""
        if self.notice_mailbox:
            return self.notice_mailbox.lower()
        if self.mode == "sandbox":
            return DEMO_NOTICE_MAILBOX
        raise SettingsError(
            "SECRETARIAAT_NOTICE_MAILBOX is niet ingesteld: meldingen die de app zelf verstuurt"
            " komen uit het gedeelde postvak van het secretariaat (binnen het bereik van RBAC"
            " for Applications); stel het in"
        )

    @model_validator(mode="after")
    def _clock_is_readable(self) -> Settings:
        if self.clock and self.mode == "tenant":
            raise ValueError("SECRETARIAAT_CLOCK is for the sandbox; a tenant runs on real time")
        parse_clock(self.clock)
        return self

    @model_validator(mode="after")
    def _frame_ancestors_are_origins(self) -> Settings:
        for origin in self.pane_frame_ancestors:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"SECRETARIAAT_PANE_FRAME_ANCESTORS: {origin!r} is not an https origin"
                    " such as https://outlook.office.com"
                )
        return self

    def pseudonym_secret(self, identity: Identity) -> bytes:
        """The key of ``automations.metrics.pseudonym``: ``SECRETARIAAT_PSEUDONYM_KEY``, or
        one derived from the app's credential as the token vault's is: the client secret, or
        without one the certificate's private key (secret, and the same on every instance; the
        client id would not do: it is public, so anyone could hash a staff list with it)."""
        if self.pseudonym_key is not None:
            return self.pseudonym_key.get_secret_value().encode()
        if identity.client_secret is not None:
            shared = identity.client_secret.get_secret_value()
        else:
            assert identity.client_certificate is not None  # tenant mode requires one of them
            shared = identity.client_certificate.private_key.get_secret_value()
        return hmac.new(shared.encode(), b"secretariaat/pseudonyms/v1", hashlib.sha256).digest()

    @model_validator(mode="after")
    def _ldv_activities_are_uris(self) -> Settings:
        for family, uri in self.ldv_activities.items():
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", uri):
                raise ValueError(
                    f"SECRETARIAAT_LDV_ACTIVITIES: {family!r} needs an absolute URI, not {uri!r}"
                )
        return self

    @model_validator(mode="after")
    def _metrics_token_is_real(self) -> Settings:
        token = self.metrics_token.get_secret_value() if self.metrics_token else None
        if token is not None and (token.strip().lower() in PLACEHOLDERS or token.startswith("<")):
            raise ValueError("SECRETARIAAT_METRICS_TOKEN is a placeholder; set a random token")
        return self

    def make_clock(self) -> Clock:
        return parse_clock(self.clock)

    @model_validator(mode="after")
    def _tenant_mode_needs_real_credentials(self) -> Settings:
        if self.mode != "tenant":
            return self
        missing = [
            f"SECRETARIAAT_{n.upper()}" for n in ("tenant_id", "client_id") if not getattr(self, n)
        ]
        if not self.client_secret and not self.client_certificate:  # either credential will do
            missing.append("SECRETARIAAT_CLIENT_SECRET or SECRETARIAAT_CLIENT_CERTIFICATE")
        if missing:
            raise ValueError(f"tenant mode needs {', '.join(missing)}")
        secret = self.client_secret.get_secret_value() if self.client_secret else None
        if secret is not None and (secret.strip().lower() in PLACEHOLDERS or secret[:1] == "<"):
            raise ValueError("SECRETARIAAT_CLIENT_SECRET is a placeholder; set the real secret")
        return self

    @model_validator(mode="after")
    def _client_certificate_is_usable(self) -> Settings:
        self.certificate()  # read now: a bad file stops the start, not the first token request
        return self

    def certificate(self) -> ClientCertificate | None:
        """The app's certificate credential (``SECRETARIAAT_CLIENT_CERTIFICATE``), or None."""
        if self.client_certificate is None:
            return None
        try:
            # Entra ID judges a certificate by real time, not by the product's clock (which
            # the sandbox and tests may set to another day): the machine's.
            return ClientCertificate.load(self.client_certificate, now=SystemClock().now())
        except ValueError as exc:  # one line, naming the file, never its content
            raise SettingsError(f"SECRETARIAAT_CLIENT_CERTIFICATE: {exc}") from None

    def identity(self) -> Identity:
        """Resolve the tenant: from the environment, or from the running sandbox."""
        if self.mode == "tenant":
            assert self.tenant_id and self.client_id
            return Identity(
                tenant_id=self.tenant_id,
                client_id=self.client_id,
                client_secret=self.client_secret or None,
                authority=f"{self.authority_host.rstrip('/')}/{self.tenant_id}",
                graph_url=self.graph_url,
                api_audience=self.api_audience or f"api://{self.client_id}",
                ca_cert=None,
                client_certificate=self.certificate(),
            )
        path = self.sandbox_state / "connection.json"
        try:
            info = json.loads(path.read_text())
        except FileNotFoundError:
            raise SettingsError(
                f"no sandbox found at {path}: start it with 'secretariaat sandbox' or set"
                " SECRETARIAAT_MODE=tenant"
            ) from None
        except ValueError as exc:
            raise SettingsError(f"{path} is not valid JSON: {exc}") from None
        return Identity(
            tenant_id=info["tenant_id"],
            client_id=info["client_id"],
            client_secret=SecretStr(info["client_secret"]),
            authority=info["authority"],
            graph_url=info["graph_url"],
            api_audience=f"api://{info['client_id']}",
            ca_cert=Path(info["ca_cert"]),
            client_certificate=self.certificate(),
        )
