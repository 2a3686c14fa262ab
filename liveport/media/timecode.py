"""The capture time drawn into each synthetic camera frame as a machine-readable strip, so
a player's displayed pixels tell when the frame was made (``liveport bench media``).

A row of 48 blocks along the bottom: 4 sync bits, the capture time in Unix milliseconds
(42 bits, most significant first) and a 2-bit check (the number of ones, mod 4). White is
1, black is 0; blocks are large enough to survive H.264 at low bit rates. The browser's
decoder (``bench_probe.js``) reads the same geometry. Pure.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SYNC = (1, 0, 1, 1)
DATA_BITS = 42
CHECK_BITS = 2
BITS = len(SYNC) + DATA_BITS + CHECK_BITS
BLOCK_H = 16
MARGIN = 6


@dataclass(frozen=True, slots=True)
class Strip:
    x0: int
    y0: int
    block_w: int
    block_h: int

    def centre(self, bit: int) -> tuple[int, int]:
        return self.x0 + bit * self.block_w + self.block_w // 2, self.y0 + self.block_h // 2

    def box(self, bit: int) -> tuple[int, int, int, int]:
        left = self.x0 + bit * self.block_w
        return left, self.y0, left + self.block_w - 1, self.y0 + self.block_h - 1


def strip_for(width: int, height: int) -> Strip:
    block_w = width // BITS
    return Strip((width - block_w * BITS) // 2, height - BLOCK_H - MARGIN, block_w, BLOCK_H)


def _check(data: int) -> int:
    return data.bit_count() % (1 << CHECK_BITS)


def encode(ms: int) -> list[int]:
    data = ms & ((1 << DATA_BITS) - 1)
    bits = [(data >> (DATA_BITS - 1 - i)) & 1 for i in range(DATA_BITS)]
    check = _check(data)
    return [*SYNC, *bits, *((check >> (CHECK_BITS - 1 - i)) & 1 for i in range(CHECK_BITS))]


def decode(bits: Sequence[int]) -> int | None:
    """The milliseconds, or None when the strip is not there or did not survive."""
    if len(bits) != BITS or tuple(bits[: len(SYNC)]) != SYNC:
        return None
    data = 0
    for bit in bits[len(SYNC): len(SYNC) + DATA_BITS]:
        data = (data << 1) | bit
    check = 0
    for bit in bits[len(SYNC) + DATA_BITS:]:
        check = (check << 1) | bit
    return data if check == _check(data) else None


def read_luma(luma: bytes, stride: int, width: int, height: int) -> int | None:
    """Decode the strip from a frame's 8-bit luma plane (row stride in bytes)."""
    strip = strip_for(width, height)
    bits = []
    for bit in range(BITS):
        x, y = strip.centre(bit)
        samples = [luma[(y + dy) * stride + x + dx] for dy in (-2, 0, 2) for dx in (-2, 0, 2)]
        bits.append(1 if sum(samples) / len(samples) >= 128 else 0)
    return decode(bits)
