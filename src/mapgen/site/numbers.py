"""Numbers: how the search index writes each term's list of entry numbers, and reads it
back (mapgen.js reads it the same way; see :mod:`mapgen.site.search`).

A list is written the shorter of two ways: as gaps in base 36, a run of consecutive
numbers as its first and how many follow (``3,2-2`` is 2, 4, 5, 6), or, for a word in much of the
index, as a bitmap (``~first~bits``, six bits a character). An index updated in place
(:mod:`mapgen.site.reindex`) edits its longest lists as sets of bits held in a Python
integer (:func:`encode_set`, :func:`bitmap_set`), a few operations each rather than one
per number; either way the text written is the same.
"""

from __future__ import annotations

import binascii

#: The 64 characters of a bitmap, six bits each.
BITMAP_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def encode_ids(ids: list[int]) -> str:
    """Sorted entry numbers, short: as gaps (:func:`encode_gaps`), or as a bitmap when
    that is shorter, as for a word found in every other entry ("step")."""
    if len(ids) < 64:
        return encode_gaps(ids)
    return encode_set(*set_of(ids), ids)


def set_of(ids: list[int]) -> tuple[int, int]:
    """Sorted numbers as (``bits``, ``first``), see :func:`encode_set`; (0, 0) for none."""
    if not ids:
        return 0, 0
    first = ids[0]
    bits = bytearray((ids[-1] - first) // 8 + 1)
    for number in ids:
        offset = number - first
        bits[offset >> 3] |= 1 << (offset & 7)
    return int.from_bytes(bits, "little"), first


def encode_set(bits: int, first: int, ids: list[int] | None = None) -> str:
    """What :func:`encode_ids` writes for the numbers ``first + n`` for each bit ``n`` set
    in ``bits`` (bit 0 set), given as a Python integer: a search index updated in place
    edits its longest lists as integers, a few operations each, not number by number."""
    count = bits.bit_count()
    if count < 64:
        return encode_gaps(ids if ids is not None else _numbers_in(bits, first))
    # A bitmap is as long as the span of the numbers, whatever their count: it is made
    # only when it is the shorter one, so a term costs the size of its list, never the
    # size of the index (a term in a few entries far apart, times many terms).
    chars = (bits.bit_length() - 1) // 6 + 1
    head = f"~{_base36(first)}~"
    length = len(head) + chars
    runs = (bits & ~(bits << 1)).bit_count()
    if length >= 2 * runs - 1:  # gaps take at least a character and a comma a run
        gaps = encode_gaps(ids if ids is not None else _numbers_in(bits, first))
        if length >= len(gaps):
            return gaps
    return head + _bitmap_chars(bits, chars)


#: Base64's characters -> a bitmap's, and back, for ``bytes.translate``: a bitmap is
#: base64 written backwards (see :func:`_bitmap_chars`).
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_BITMAP = bytes.maketrans(_BASE64, BITMAP_DIGITS.encode("ascii"))
_FROM_BITMAP = bytes.maketrans(BITMAP_DIGITS.encode("ascii"), _BASE64)


def _bitmap_chars(bits: int, chars: int) -> str:
    """The lowest ``6 * chars`` bits of ``bits`` as bitmap characters, lowest first.

    Base64 writes each three bytes, highest bits first, as four characters of six bits:
    so the bits' bytes highest first, in base64, read backwards, are their six-bit
    groups lowest first (a common term's list at 1000 journeys is 3,000 characters: one
    call, not a thousand steps of Python)."""
    groups = (chars + 3) // 4  # three bytes are four characters
    written = binascii.b2a_base64(bits.to_bytes(groups * 3, "big"), newline=False)
    return written[::-1][:chars].translate(_TO_BITMAP).decode("ascii")


def bitmap_set(text: str) -> tuple[int, int]:
    """(``bits``, ``first``) of a bitmap :func:`encode_ids` wrote (see
    :func:`encode_set`)."""
    _, first, chars = text.split("~", 2)
    written = chars.encode("ascii").ljust(-(-len(chars) // 4) * 4, b"0")
    data = binascii.a2b_base64(written[::-1].translate(_FROM_BITMAP), strict_mode=True)
    return int.from_bytes(data, "big"), int(first, 36)


def _numbers_in(bits: int, first: int) -> list[int]:
    """The numbers a set of bits stands for (see :func:`encode_set`), in order."""
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    return [first + at * 8 + bit for at, byte in enumerate(data) if byte
            for bit in _BYTE_BITS[byte]]


#: Each byte -> which of its eight bits are set.
_BYTE_BITS = [tuple(bit for bit in range(8) if value >> bit & 1) for value in range(256)]


def encode_gaps(ids: list[int]) -> str:
    """Each number as the gap from the one before ("3"), and a run of consecutive
    numbers as its first and how many follow ("3-2" for 3, 4, 5), in base 36.
    (One pass, and small numbers looked up: at 1000 journeys this wrote 450,000 numbers
    for a change to one.)"""
    small, known = _SMALL36, len(_SMALL36)  # written out here: 400,000 runs at 1000
    out: list[str] = []                      # journeys, a call or two each
    before, start, last = -1, -1, -3  # the run being read: ``start`` to ``last`` (none)
    for number in (*ids, -1):  # -1 ends the last run
        if number == last + 1:
            last = number
            continue
        if start >= 0:
            gap, more = start - before, last - start
            text = small[gap] if gap < known else _base36(gap)
            if more:
                text += "-" + (small[more] if more < known else _base36(more))
            out.append(text)
            before = last
        start = last = number
    return ",".join(out)


_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Every number below 36 * 36 in base 36: most gaps are small.
_SMALL36 = [*_DIGITS36, *(a + b for a in _DIGITS36[1:] for b in _DIGITS36)]


def decode_ids(text: str) -> list[int]:
    """The numbers :func:`encode_ids` wrote as ``text``."""
    if not text:
        return []
    if text.startswith("~"):
        return _numbers_in(*bitmap_set(text))
    numbers: list[int] = []
    before = -1
    for run in text.split(","):
        gap, _, more = run.partition("-")
        start = before + int(gap, 36)
        before = start + (int(more, 36) if more else 0)
        numbers.extend(range(start, before + 1))
    return numbers


def _base36(number: int) -> str:
    if number < len(_SMALL36):
        return _SMALL36[number]
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = _DIGITS36[rest] + text
        if not number:
            return text
