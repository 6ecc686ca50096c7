"""Reading the facts: the roles in the app token."""

from __future__ import annotations

import base64
import json

from automations.doctor.gather import roles_in


def test_the_roles_claim_is_read_from_the_tokens_payload() -> None:
    payload = base64.urlsafe_b64encode(json.dumps({"roles": ["A.B"]}).encode()).rstrip(b"=")
    assert roles_in(f"e30.{payload.decode()}.sig") == frozenset({"A.B"})
    assert roles_in("opaque-token") is None
    assert roles_in("e30.e30.sig") == frozenset()
