"""``Annotated`` dependency aliases so routes read like signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.auth import Principal, TokenValidator
from server.settings import Settings

__all__ = ["CurrentUser", "SettingsDep"]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _validator(request: Request) -> TokenValidator:
    return request.app.state.validator


async def _current_user(request: Request) -> Principal:
    return await _validator(request).validate(request.headers.get("authorization"))


SettingsDep = Annotated[Settings, Depends(_settings)]
CurrentUser = Annotated[Principal, Depends(_current_user)]
