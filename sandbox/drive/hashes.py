"""OneDrive's QuickXorHash, the content hash OneDrive for Business and SharePoint report.

The 160-bit state is the XOR of every input byte rotated left by ``11 * position`` bits (mod
160); the content length, little-endian, is XORed into the last 8 bytes of the digest.
"""

from __future__ import annotations

import base64

__all__ = ["quick_xor_hash"]

_WIDTH = 160
_SHIFT = 11
_MASK = (1 << _WIDTH) - 1


def quick_xor_hash(content: bytes) -> str:
    """Base64 of the 20-byte QuickXorHash of ``content``."""
    # Bytes 160 positions apart share a rotation, so fold the content into one 160-byte block.
    folded = 0
    for start in range(0, len(content), _WIDTH):
        block = content[start : start + _WIDTH]
        folded ^= int.from_bytes(block.ljust(_WIDTH, b"\0"), "little")
    block = folded.to_bytes(_WIDTH, "little")
    state = 0
    for i, byte in enumerate(block):
        if byte:
            shift = (_SHIFT * i) % _WIDTH
            state ^= ((byte << shift) | (byte >> (_WIDTH - shift))) & _MASK
    digest = bytearray(state.to_bytes(_WIDTH // 8, "little"))
    for i, b in enumerate(len(content).to_bytes(8, "little")):
        digest[12 + i] ^= b
    return base64.b64encode(bytes(digest)).decode()
