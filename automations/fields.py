"""The field shapes the whole product shares, defined once: the API's request models
(``server.fields``) and the domain's documents (the roster) check an address the same way."""

from __future__ import annotations

__all__ = ["MAILBOX_PATTERN", "OPERATION_PATTERN"]

# A UPN / SMTP address: one @, no spaces, no control characters. Spelled out beyond \s because
# \s differs per regex dialect (U+0085, U+FEFF): pydantic's Rust engine, Python's re and a
# client reading the OpenAPI pattern (ECMA-262) must accept the same addresses.
_NOT_IN_ADDRESS = r"@\s\x00-\x20\x7f-\x9f\ufeff"
MAILBOX_PATTERN = rf"^[^{_NOT_IN_ADDRESS}]+@[^{_NOT_IN_ADDRESS}]+$"
OPERATION_PATTERN = r"^[A-Za-z0-9\-_]{8,64}$"  # the client's id for one click
