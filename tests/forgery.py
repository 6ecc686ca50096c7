"""Tokens a test makes itself: signed with the sandbox tenant's key (to change one claim,
such as expiry or tenant) or with a key nobody published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def resign(info: dict[str, Any], token: str, **overrides: Any) -> str:
    """``token`` with some claims changed, signed again with the tenant's own key."""
    state = Path(info["ca_cert"]).parent
    key = serialization.load_pem_private_key((state / "signing-key.pem").read_bytes(), None)
    claims = claims_of(token)
    claims.update(overrides)
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def sign_with_unknown_key(token: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims_of(token), key, algorithm="RS256", headers={"kid": "not-published"})


def unsigned(token: str) -> str:
    return jwt.encode(claims_of(token), key=None, algorithm="none")
