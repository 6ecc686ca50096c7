"""Where meeting folders live, behind one small interface: a local directory tree, or a
SharePoint / OneDrive document library through Graph. A real meeting system (iBabs, NotuBiz)
would be a third ``Target``.

Both keep every version: the same name with other content becomes a new version (locally the
old file moves to ``.versies/``; in SharePoint the library's version history keeps it), and the
same content again writes nothing. Files are streamed from a spooled copy, never held whole.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote

from automations.errors import AppError, BadRequest, NotFound, Throttled, Unavailable
from automations.graph import BatchRequest, GraphSession
from automations.meetings.types import MeetingType, SharePointPlace

__all__ = [
    "CHUNK",
    "SIMPLE_LIMIT",
    "LocalFolderTarget",
    "QuickXorHash",
    "SharePointTarget",
    "Stored",
    "Target",
    "Targets",
    "library_drive",
]

SIMPLE_LIMIT = 4 * 1024 * 1024  # up to this a single PUT; above it an upload session
CHUNK = 32 * 320 * 1024  # 10 MiB ranges (multiples of 320 KiB), streamed in small pieces
READ = 1024 * 1024
VERSIONS = ".versies"


@dataclass(frozen=True)
class Stored:
    ref: str  # a path under the root, or a driveItem id
    version: int
    unchanged: bool  # this name already held exactly this content


class Target(Protocol):
    kind: str

    async def store(
        self, folders: Sequence[str], name: str, source: IO[bytes], size: int, sha256: str
    ) -> Stored: ...

    async def write_text(self, folders: Sequence[str], name: str, text: str) -> None: ...

    async def read(self, folders: Sequence[str], name: str, sink: IO[bytes]) -> None: ...


class QuickXorHash:
    """OneDrive's content hash, computed while streaming (what SharePoint reports per file)."""

    WIDTH, SHIFT = 160, 11

    def __init__(self) -> None:
        self._folded = 0
        self._pending = b""
        self._length = 0

    def update(self, data: bytes) -> None:
        self._length += len(data)
        data = self._pending + data
        whole = len(data) - len(data) % self.WIDTH
        view = memoryview(data)
        folded = self._folded
        for start in range(0, whole, self.WIDTH):
            folded ^= int.from_bytes(view[start : start + self.WIDTH], "little")
        self._folded = folded
        self._pending = bytes(view[whole:])

    def digest(self) -> str:
        mask = (1 << self.WIDTH) - 1
        folded = self._folded ^ int.from_bytes(self._pending.ljust(self.WIDTH, b"\0"), "little")
        block = folded.to_bytes(self.WIDTH, "little")
        state = 0
        for i, byte in enumerate(block):
            if byte:
                shift = (self.SHIFT * i) % self.WIDTH
                state ^= ((byte << shift) | (byte >> (self.WIDTH - shift))) & mask
        out = bytearray(state.to_bytes(self.WIDTH // 8, "little"))
        for i, b in enumerate(self._length.to_bytes(8, "little")):
            out[12 + i] ^= b
        return base64.b64encode(bytes(out)).decode()


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(READ):
            digest.update(block)
    return digest.hexdigest()


class LocalFolderTarget:
    """``<root>/<type>/<YYYY-MM-DD title>/<NN agenda item>/<file>``; old ones in ``.versies``."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, folders: Sequence[str], name: str | None = None) -> Path:
        path = self.root.joinpath(*folders, *([name] if name else []))
        resolved = path.resolve()
        if self.root.resolve() not in resolved.parents and resolved != self.root.resolve():
            raise BadRequest("Deze naam valt buiten de vergadermap.")  # names are made safe first
        return path

    def _store(self, folders: Sequence[str], name: str, source: IO[bytes], sha256: str) -> Stored:
        path = self._path(folders, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        history = path.parent / VERSIONS
        older = sorted(history.glob(f"{name}.v*")) if history.exists() else []
        ref = str(path.relative_to(self.root))
        version = len(older) + 1
        if path.exists():
            if _sha256_of(path) == sha256:
                return Stored(ref, version, unchanged=True)
            history.mkdir(exist_ok=True)
            os.replace(path, history / f"{name}.v{version}")  # the old one keeps its number
            version += 1
        partial = path.with_name(f".{name}.deel")
        with partial.open("wb") as out:
            source.seek(0)
            shutil.copyfileobj(source, out, READ)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)  # whole or not at all
        return Stored(ref, version, unchanged=False)

    async def store(
        self, folders: Sequence[str], name: str, source: IO[bytes], size: int, sha256: str
    ) -> Stored:
        return await asyncio.to_thread(self._store, folders, name, source, sha256)

    async def write_text(self, folders: Sequence[str], name: str, text: str) -> None:
        path = self._path(folders, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_text, text, "utf-8")

    async def read(self, folders: Sequence[str], name: str, sink: IO[bytes]) -> None:
        path = self._path(folders, name)
        if not path.exists():
            raise NotFound(f"{name} staat niet (meer) in de vergadermap.")

        def copy() -> None:
            with path.open("rb") as f:
                shutil.copyfileobj(f, sink, READ)

        await asyncio.to_thread(copy)

    async def read_version(
        self, folders: Sequence[str], name: str, version: int, sink: IO[bytes]
    ) -> None:
        """An older version, as ``store`` put it aside (``.versies/<name>.v<N>``)."""
        await self.read([*folders, VERSIONS], f"{name}.v{version}", sink)


class SharePointTarget:
    """The same tree as folders in a document library; Graph keeps the version history."""

    kind = "sharepoint"

    def __init__(self, graph: GraphSession, drive_id: str) -> None:
        self.graph = graph
        self.drive_id = drive_id

    def _path(self, folders: Sequence[str], name: str) -> str:
        parts = "/".join(quote(p, safe="") for p in [*folders, name])
        return f"/drives/{self.drive_id}/root:/{parts}:"

    async def _item(self, folders: Sequence[str], name: str) -> dict[str, Any] | None:
        [answer] = await self.graph.batch(
            [BatchRequest("GET", f"{self._path(folders, name)}?$select=id,size,file")]
        )
        if answer.status == 404:
            return None
        answer.raise_for_status()
        item: dict[str, Any] = answer.body  # a driveItem (Graph's JSON is untyped)
        return item

    async def _versions(self, item_id: str) -> int:
        [answer] = await self.graph.batch(
            [BatchRequest("GET", f"/drives/{self.drive_id}/items/{item_id}/versions?$select=id")]
        )
        answer.raise_for_status()
        return max(len(answer.body.get("value") or []), 1)

    async def store(
        self, folders: Sequence[str], name: str, source: IO[bytes], size: int, sha256: str
    ) -> Stored:
        existing = await self._item(folders, name)
        if existing is not None:
            theirs = ((existing.get("file") or {}).get("hashes") or {}).get("quickXorHash")
            if theirs and theirs == await asyncio.to_thread(_quick_xor_of, source):
                version = await self._versions(existing["id"])
                return Stored(existing["id"], version, unchanged=True)
        if size <= SIMPLE_LIMIT:
            source.seek(0)
            data = source.read()
            item = await self.graph.put_content(
                f"{self._path(folders, name)}/content", data, "application/octet-stream"
            )
        else:
            item = await self._upload_session(folders, name, source, size)
            if item is None:  # the last range's answer was lost and the session is gone
                item = await self._item(folders, name)
                theirs = (((item or {}).get("file") or {}).get("hashes") or {}).get("quickXorHash")
                if item is None or theirs != await asyncio.to_thread(_quick_xor_of, source):
                    raise Unavailable("De upload is niet afgerond; probeer het opnieuw.")
        version = await self._versions(item["id"]) if existing is not None else 1
        return Stored(item["id"], version, unchanged=False)

    async def _upload_session(
        self, folders: Sequence[str], name: str, source: IO[bytes], size: int
    ) -> dict[str, Any] | None:
        """Ranges of 10 MiB (32 x 320 KiB), resumed from ``nextExpectedRanges`` after a fault;
        None when the session is gone after the last range (then it was committed, or not)."""
        body = {"item": {"@microsoft.graph.conflictBehavior": "replace"}}
        [made] = await self.graph.batch(
            [BatchRequest("POST", f"{self._path(folders, name)}/createUploadSession", body)]
        )
        made.raise_for_status()
        url = made.body["uploadUrl"]
        offset, faults = 0, 0
        while True:
            length = min(CHUNK, size - offset)
            try:
                resp = await self.graph.put_range(url, source, offset, length, size)
            except AppError as exc:
                # A lost answer (the range arrived: 416 now), throttling or an outage: the
                # session says where it stands (nextExpectedRanges) and the upload goes on.
                resumable = isinstance(exc, (Unavailable, Throttled)) or exc.graph_code in (
                    "invalidRange",
                    "ErrorInvalidRange",
                )
                if not resumable:
                    raise
                faults += 1
                if faults > 8:
                    raise
                await self.graph.config.sleep(min(0.2 * faults, 2.0))
                try:
                    status = await self.graph.upload_status(url)
                except NotFound:
                    return None  # committed by the range whose answer was lost (or expired)
                offset = int(status["nextExpectedRanges"][0].split("-")[0])
                continue
            if resp.status_code in (200, 201):
                item: dict[str, Any] = resp.json()  # the driveItem made
                return item
            offset += length
            if offset >= size:  # all sent but not committed: ask where it stands
                status = await self.graph.upload_status(url)
                offset = int(status["nextExpectedRanges"][0].split("-")[0])

    async def write_text(self, folders: Sequence[str], name: str, text: str) -> None:
        await self.graph.put_content(
            f"{self._path(folders, name)}/content", text.encode(), "text/plain; charset=utf-8"
        )

    async def read(self, folders: Sequence[str], name: str, sink: IO[bytes]) -> None:
        async for block in self.graph.stream(f"{self._path(folders, name)}/content", READ):
            sink.write(block)

    async def web_urls(self, item_ids: Sequence[str]) -> dict[str, str]:
        """Where each item opens in SharePoint (its ``webUrl``; the library's own rights
        apply there); items gone from the library are left out."""
        wanted = list(dict.fromkeys(item_ids))
        answers = await self.graph.batch(
            [BatchRequest("GET", f"/drives/{self.drive_id}/items/{quote(i, safe='')}"
                                 "?$select=id,webUrl") for i in wanted]
        )  # fmt: skip
        found: dict[str, str] = {}
        for item_id, answer in zip(wanted, answers, strict=True):
            if answer.status == 404:
                continue
            answer.raise_for_status()
            url = answer.body.get("webUrl")
            if isinstance(url, str) and url.startswith("https://"):
                found[item_id] = url
        return found


def _quick_xor_of(source: IO[bytes]) -> str:
    digest = QuickXorHash()
    source.seek(0)
    while block := source.read(READ):
        digest.update(block)
    return digest.digest()


async def library_drive(graph: GraphSession, site: str, library: str) -> str:
    """The drive id of a site's document library, found by the site's and library's names."""
    [sites] = await graph.batch(
        [BatchRequest("GET", f"/sites?search={quote(site)}&$select=id,name,displayName")]
    )
    sites.raise_for_status()
    match = [s for s in sites.body.get("value") or []
             if site in (s.get("id"), s.get("name"), s.get("displayName"))]  # fmt: skip
    if not match:
        raise NotFound(f"De SharePoint-site '{site}' is niet gevonden.")
    [drives] = await graph.batch(
        [BatchRequest("GET", f"/sites/{match[0]['id']}/drives?$select=id,name")]
    )
    drives.raise_for_status()
    for drive in drives.body.get("value") or []:
        if drive.get("name") == library:
            drive_id: str = drive["id"]
            return drive_id
    raise NotFound(f"De bibliotheek '{library}' is niet gevonden op '{site}'.")


class Targets:
    """The target of each meeting type, for one request or command: the local tree under
    ``root``, or the SharePoint library (its drive id looked up once, when first needed)."""

    def __init__(
        self, graph: GraphSession, *, root: Path, sharepoint: SharePointPlace | None
    ) -> None:
        self.graph, self.root, self.sharepoint = graph, root, sharepoint
        self._drive: str | None = None

    async def of(self, kind: MeetingType) -> Target:
        if kind.target != "sharepoint":
            return LocalFolderTarget(self.root)
        if self._drive is None:
            if self.sharepoint is None:  # load_types refuses such a file; a hand-made one
                raise BadRequest(f"Voor '{kind.name}' is geen SharePoint-bibliotheek ingesteld.")
            place = self.sharepoint
            self._drive = await library_drive(self.graph, place.site, place.library)
        return SharePointTarget(self.graph, self._drive)
