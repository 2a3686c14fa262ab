"""The capture-time strip the synthetic camera draws and the bench reads back."""
from __future__ import annotations

from liveport.media.timecode import BITS, decode, encode, read_luma, strip_for


def test_a_time_survives_encoding_and_decoding():
    ms = 1795680884978
    bits = encode(ms)
    assert len(bits) == BITS == 48
    assert decode(bits) == ms


def test_a_damaged_strip_is_not_read_as_a_time():
    bits = encode(1795680884978)
    flipped = bits.copy()
    flipped[20] ^= 1
    assert decode(flipped) is None
    assert decode([0] * BITS) is None  # no sync: no strip in the picture


def test_the_strip_is_read_from_a_luma_plane():
    width, height, ms = 640, 360, 1795680884978
    luma = bytearray(width * height)
    strip = strip_for(width, height)
    for bit, value in enumerate(encode(ms)):
        left, top, right, bottom = strip.box(bit)
        for y in range(top, bottom + 1):
            luma[y * width + left: y * width + right + 1] = bytes([235 if value else 16]) * (right - left + 1)
    assert (strip.x0, strip.y0, strip.block_w) == (8, 338, 13)
    assert read_luma(bytes(luma), width, width, height) == ms
