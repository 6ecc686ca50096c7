"""Every error a user can meet says in Dutch what happened; the technical detail is kept apart."""

from __future__ import annotations

import re

import pytest

from automations.errors import (
    AccessDenied,
    AppError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    GraphTimeout,
    NotFound,
    Throttled,
    Unavailable,
    Unprocessable,
)
from automations.graph.errors import error_for_status

# Words that give an English text away; none of them is Dutch.
ENGLISH = re.compile(
    r"\b(the|was|lost|during|did|not|answer|time|connection|error|request|failed|"
    r"could|refused|mailbox|access|denied)\b",
    re.IGNORECASE,
)
KINDS = [AppError, BadRequest, Unprocessable, AuthenticationFailed, AccessDenied, NotFound,
         Conflict, Throttled, Unavailable, GraphTimeout]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_each_kind_has_a_dutch_message_of_its_own(kind: type[AppError]) -> None:
    error = kind()
    assert error.message and not ENGLISH.search(error.message), error.message
    assert str(error) == error.message


def test_the_technical_detail_is_kept_apart_from_what_the_user_reads() -> None:
    detail = "The connection to Microsoft Graph was lost during POST /$batch."
    error = Unavailable(detail=detail, outcome_unknown=True)
    assert error.message == "De verbinding met Microsoft 365 viel weg. Probeer het opnieuw."
    assert error.detail == detail and detail not in str(error)


def test_a_timeout_says_microsoft_365_did_not_answer_in_time() -> None:
    assert GraphTimeout().message.startswith("Microsoft 365 antwoordde niet op tijd.")


@pytest.mark.parametrize(
    ("seconds", "said"), [(1, "(1 seconde)"), (30, "(30 seconden)"), (2.4, "(2 seconden)")]
)
def test_throttling_says_how_long_to_wait_in_the_right_form(seconds: float, said: str) -> None:
    assert said in Throttled(retry_after=seconds).message


def test_throttling_without_a_wait_asks_for_a_minute() -> None:
    assert "over een minuut" in Throttled().message


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 413, 429, 500, 502, 503,
                                    504, 418])  # fmt: skip
def test_graphs_english_message_never_becomes_the_users(status: int) -> None:
    graph_said = "Access is denied. Check credentials and try again."
    error = error_for_status(status, graph_code="ErrorAccessDenied", detail=graph_said,
                             request_id="req-1", retry_after=5)  # fmt: skip
    assert graph_said not in error.message and not ENGLISH.search(error.message), error.message
    assert error.detail == graph_said and error.graph_code == "ErrorAccessDenied"
    assert error.request_id == "req-1"


def test_graphs_statuses_keep_their_kinds_and_codes() -> None:
    kinds = {403: "access_denied", 404: "not_found", 429: "throttled", 503: "unavailable",
             504: "graph_timeout", 418: "graph_error"}  # fmt: skip
    for status, code in kinds.items():
        assert error_for_status(status, graph_code=None, detail="x", request_id=None).code == code
