"""The Teams app icons, drawn in code: a white star on Bravo's colour (192 px) and its white outline (32 px)."""

from __future__ import annotations

import math
import struct
import zlib

ACCENT = (0xE8, 0x59, 0x0C)
WHITE = (0xFF, 0xFF, 0xFF)
COLOR_SIZE = 192
OUTLINE_SIZE = 32

Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixels: list[list[Pixel]]) -> bytes:
    """An 8-bit RGBA PNG (no filtering, deflate-compressed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(value for pixel in row for value in pixel) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _star(size: int, scale: float) -> list[tuple[float, float]]:
    """A five-pointed star's corners, centred in a `size` square."""
    centre, outer = size / 2, size * scale / 2
    inner = outer * 0.45
    points = []
    for index in range(10):
        radius = outer if index % 2 == 0 else inner
        angle = -math.pi / 2 + index * math.pi / 5
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle) + size * 0.03))
    return points


def _inside(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _coverage(x: int, y: int, polygon: list[tuple[float, float]]) -> float:
    """How much of pixel (x, y) the polygon covers, from 4x4 samples (smooth edges)."""
    hits = sum(_inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4, polygon) for i in range(4) for j in range(4))
    return hits / 16


def color_icon() -> bytes:
    """192x192, full colour: the white star on the accent colour."""
    star = _star(COLOR_SIZE, 0.7)
    rows = []
    for y in range(COLOR_SIZE):
        row: list[Pixel] = []
        for x in range(COLOR_SIZE):
            share = _coverage(x, y, star) if 30 <= x < 162 and 30 <= y < 170 else 0.0
            r, g, b = (round(a + (w - a) * share) for a, w in zip(ACCENT, WHITE, strict=True))
            row.append((r, g, b, 255))
        rows.append(row)
    return png(COLOR_SIZE, COLOR_SIZE, rows)


def outline_icon() -> bytes:
    """32x32, white on transparent, as Teams requires for the outline icon."""
    star = _star(OUTLINE_SIZE, 0.9)
    rows = [[(*WHITE, round(255 * _coverage(x, y, star))) for x in range(OUTLINE_SIZE)] for y in range(OUTLINE_SIZE)]
    return png(OUTLINE_SIZE, OUTLINE_SIZE, rows)
