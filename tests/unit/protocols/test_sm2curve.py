"""The fixed-base tables against pysmx's own ladder: same points, and signatures that each
side makes the other accepts."""

from __future__ import annotations

import base64
import random

from pysmx.SM2 import _SM2 as pysmx

from liveport.protocols import sm2curve, sm2sign

RNG = random.Random(20261126)
EDGE_SCALARS = [1, 2, 15, 16, 17, 255, 256, 2**252 + 1, sm2curve.N - 2, sm2curve.N - 1]


def _pysmx_point(k: int) -> tuple[int, int]:
    text = pysmx.kG(k, pysmx.sm2_G, 64)
    return int(text[:64], 16), int(text[64:], 16)


def test_k_times_g_is_pysmx_s_point_for_edge_and_random_scalars():
    scalars = EDGE_SCALARS + [RNG.randrange(1, sm2curve.N) for _ in range(40)]
    assert [sm2curve.base_times(k) for k in scalars] == [_pysmx_point(k) for k in scalars]


def test_n_times_g_is_the_point_at_infinity_and_zero_too():
    assert sm2curve.base_times(sm2curve.N) is None
    assert sm2curve.base_times(0) is None


def test_s_g_plus_t_p_is_the_sum_of_pysmx_s_two_points():
    pair = sm2sign.generate_keypair()
    point = (int(pair.public_key[2:66], 16), int(pair.public_key[66:], 16))
    d = int(pair.private_key, 16)
    for _ in range(10):
        s, t = RNG.randrange(1, sm2curve.N), RNG.randrange(1, sm2curve.N)
        assert sm2curve.combined(s, t, point) == _pysmx_point((s + t * d) % sm2curve.N)


def test_s_g_plus_t_p_at_infinity_is_none_and_a_doubling_is_a_doubling():
    pair = sm2sign.generate_keypair()
    point = (int(pair.public_key[2:66], 16), int(pair.public_key[66:], 16))
    d = int(pair.private_key, 16)
    assert sm2curve.combined(sm2curve.N - d, 1, point) is None  # (n − d)·G + d·G
    assert sm2curve.combined(d, 1, point) == _pysmx_point(2 * d % sm2curve.N)  # P + P


def test_pysmx_verifies_our_signatures_and_we_verify_pysmx_s():
    pair = sm2sign.generate_keypair()
    for index in range(8):
        message = f"amount={index}&order_no=LP{index:06d}".encode()
        ours = base64.b64decode(sm2sign.sign_message(message, pair.private_key))
        digest = sm2sign._digest_hex(message, pair.public_key, sm2sign.DEFAULT_USER_ID)
        assert pysmx.Verify(ours, digest, pair.public_key[2:], 64, Hexstr=1)
        theirs = pysmx.Sign(digest, pair.private_key, f"{RNG.randrange(1, sm2curve.N):064x}", 64, Hexstr=1)
        assert sm2sign.verify_message(message, base64.b64encode(theirs).decode(), pair.public_key) is True
