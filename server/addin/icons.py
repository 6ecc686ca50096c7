"""Draw the add-in's icons as PNG files (``python -m server.addin.icons``), deterministically.

A Fluent-blue rounded square with a white envelope outline: written once into ``addin/icons/``
and committed; a test checks they are there at every size the manifest names.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from server.addin.manifest import ADDIN_DIR, ICON_SIZES

BLUE = (15, 108, 189, 255)  # Fluent "brand" blue #0F6CBD
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def _pixel(x: float, y: float, size: int) -> tuple[int, int, int, int]:
    r = size * 0.18  # corner radius of the background
    cx = min(max(x, r), size - r)
    cy = min(max(y, r), size - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    # envelope: a rectangle outline with a V from the top corners to the centre
    left, right, top, bottom = size * 0.2, size * 0.8, size * 0.3, size * 0.7
    stroke = max(1.0, size / 16)
    inside = left <= x <= right and top <= y <= bottom
    if not inside:
        return BLUE
    edge = min(x - left, right - x, y - top, bottom - y) < stroke
    mid = (left + right) / 2
    slope = (size * 0.52 - top) / (mid - left)
    v_y = top + slope * (mid - abs(x - mid) - left)
    on_v = abs(y - v_y) < stroke * 0.9 and y <= size * 0.52 + stroke
    return WHITE if edge or on_v else BLUE


def png(size: int) -> bytes:
    """One RGBA PNG of ``size`` x ``size`` pixels (no timestamps: byte-identical every run)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x + 0.5, y + 0.5, size)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def write_icons(target: Path = ADDIN_DIR / "icons") -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for size in ICON_SIZES:
        path = target / f"icon-{size}.png"
        path.write_bytes(png(size))
        written.append(path)
    return written


if __name__ == "__main__":
    for written in write_icons():
        print(written)  # noqa: T201 - a developer tool
