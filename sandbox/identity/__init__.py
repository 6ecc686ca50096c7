"""Entra ID's part of the sandbox: signing keys, OpenID discovery, the token endpoint."""
