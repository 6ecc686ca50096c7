"""An IT admin downloads the manifest from the backend; Outlook fetches the icons from it."""

from __future__ import annotations

import httpx
from lxml import etree

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1"}


async def test_the_manifest_points_at_this_backend(api: httpx.AsyncClient) -> None:
    resp = await api.get("/addin/manifest.xml")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(resp.content)
    icon = root.find("o:IconUrl", NS).get("DefaultValue")
    assert icon == "https://127.0.0.1:8443/addin/icons/icon-64.png"


async def test_every_icon_the_manifest_names_is_served(api: httpx.AsyncClient) -> None:
    for size in (16, 32, 64, 80, 128):
        resp = await api.get(f"/addin/icons/icon-{size}.png")
        assert resp.status_code == 200
        assert resp.content.startswith(b"\x89PNG\r\n\x1a\n")
