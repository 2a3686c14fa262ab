"""Scalar multiplication on the SM2 curve (GB/T 32918.5), fast enough for a busy night.

Signing is one ``k·G`` and verifying one ``s·G + t·P``. Done bit by bit (256 doublings and
about 128 additions) that costs 2–3 ms of pure Python, and every payment link, payment
notification, customs message and waybill signs and verifies several times. Here each base
point gets a table of its multiples ``j·16^i·B`` (i < 64, j < 16) in affine coordinates,
made once: ``k·B`` is then the sum of one table entry per hex digit of ``k``, at most 64
mixed additions in Jacobian coordinates and no doubling. The table of G is built at first
use; a public key's table is built the first time it verifies and kept for the next 64 keys.

Arithmetic only: the callers (sm2sign.py) check keys, ranges and the signature equation.
The curve's parameters come from the same place as before (pysmx's constants); the tests
compare every result with pysmx's own ladder. Like pysmx, this is not constant-time.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from pysmx.SM2 import _SM2 as parameters

P: int = parameters.sm2_P
N: int = parameters.sm2_N
G = (int(parameters.sm2_G[:64], 16), int(parameters.sm2_G[64:], 16))

Affine = tuple[int, int]
Jacobian = tuple[int, int, int]  # x = X/Z², y = Y/Z³; Z = 0 is the point at infinity
INFINITY: Jacobian = (1, 1, 0)
DIGITS = 64  # hex digits of a 256-bit scalar

_g_lock = threading.Lock()
_g_table: list[list[Affine | None]] | None = None


def _double(point: Jacobian) -> Jacobian:
    x1, y1, z1 = point
    if z1 == 0 or y1 == 0:
        return INFINITY
    # a = −3 on the SM2 curve: 3·x² + a·z⁴ = 3·(x − z²)·(x + z²)
    delta = z1 * z1 % P
    gamma = y1 * y1 % P
    beta = x1 * gamma % P
    alpha = 3 * (x1 - delta) * (x1 + delta) % P
    x3 = (alpha * alpha - 8 * beta) % P
    z3 = ((y1 + z1) * (y1 + z1) - gamma - delta) % P
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % P
    return x3, y3, z3


def _add_affine(point: Jacobian, other: Affine) -> Jacobian:
    x1, y1, z1 = point
    x2, y2 = other
    if z1 == 0:
        return x2, y2, 1
    z1z1 = z1 * z1 % P
    h = (x2 * z1z1 - x1) % P
    r = (y2 * z1 * z1z1 - y1) % P
    if h == 0:
        return _double(point) if r == 0 else INFINITY
    hh = h * h % P
    hhh = h * hh % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    y3 = (r * (v - x3) - y1 * hhh) % P
    return x3, y3, z1 * h % P


def to_affine(point: Jacobian) -> Affine | None:
    x, y, z = point
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return x * zi2 % P, y * zi2 * zi % P


def _affine_all(points: list[Jacobian]) -> list[Affine]:
    """Many points to affine with one inversion (Montgomery's trick); none is infinity."""
    prefix = [1] * (len(points) + 1)
    for i, (_, _, z) in enumerate(points):
        prefix[i + 1] = prefix[i] * z % P
    inverse = pow(prefix[-1], -1, P)
    out: list[Affine] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        zi = inverse * prefix[i] % P
        inverse = inverse * z % P
        zi2 = zi * zi % P
        out[i] = (x * zi2 % P, y * zi2 * zi % P)
    return out


def _table(base: Affine) -> list[list[Affine | None]]:
    rows: list[list[Jacobian]] = []
    step: Jacobian = (base[0], base[1], 1)
    for _ in range(DIGITS):
        step_affine = to_affine(step)
        assert step_affine is not None  # 16^i·B is never infinity for i < 64 on a prime-order curve
        row: list[Jacobian] = [(step_affine[0], step_affine[1], 1)]
        for _ in range(14):
            row.append(_add_affine(row[-1], step_affine))
        rows.append(row)
        for _ in range(4):
            step = _double(step)
    flat = _affine_all([p for row in rows for p in row])
    return [[None, *flat[i * 15:(i + 1) * 15]] for i in range(DIGITS)]


def _times(table: list[list[Affine | None]], k: int) -> Jacobian:
    acc = INFINITY
    for i in range(DIGITS):
        digit = k & 15
        if digit:
            entry = table[i][digit]
            assert entry is not None
            acc = _add_affine(acc, entry)
        k >>= 4
        if not k:
            break
    return acc


def _g() -> list[list[Affine | None]]:
    global _g_table
    if _g_table is None:
        with _g_lock:
            if _g_table is None:
                _g_table = _table(G)
    return _g_table


@lru_cache(maxsize=64)
def _key_table(x: int, y: int) -> list[list[Affine | None]]:
    return _table((x, y))


def base_times(k: int) -> Affine | None:
    """k·G for 0 ≤ k < 2^256 (None: the point at infinity)."""
    return to_affine(_times(_g(), k))


def combined(s: int, t: int, point: Affine) -> Affine | None:
    """s·G + t·point (None: the point at infinity); ``point`` must be on the curve."""
    first = _times(_g(), s)
    second = to_affine(_times(_key_table(*point), t))
    if second is None:
        return to_affine(first)
    return to_affine(_add_affine(first, second))
