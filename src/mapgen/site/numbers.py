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


#: Six bits (0 to 63) -> their character in a bitmap, for ``bytes.translate``.
_BITMAP_BYTES = BITMAP_DIGITS.encode("ascii").ljust(256, b"?")
#: A bitmap's character -> its six bits, for ``bytes.translate``.
_BITMAP_VALUES = bytes(BITMAP_DIGITS.find(chr(c)) % 64 for c in range(256))


def _bitmap_chars(bits: int, chars: int) -> str:
    """The lowest ``6 * chars`` bits of ``bits`` as bitmap characters, lowest first."""
    groups = (chars + 3) // 4  # three bytes are four characters
    data = bits.to_bytes(groups * 3, "little")
    values = bytearray()
    for at in range(0, groups * 3, 3):
        word = data[at] | data[at + 1] << 8 | data[at + 2] << 16
        values += bytes((word & 63, word >> 6 & 63, word >> 12 & 63, word >> 18))
    return values[:chars].translate(_BITMAP_BYTES).decode("ascii")


def bitmap_set(text: str) -> tuple[int, int]:
    """(``bits``, ``first``) of a bitmap :func:`encode_ids` wrote (see
    :func:`encode_set`)."""
    _, first, chars = text.split("~", 2)
    values = chars.encode("ascii").translate(_BITMAP_VALUES)
    values += bytes(-len(values) % 4)
    data = bytearray()
    for at in range(0, len(values), 4):
        word = values[at] | values[at + 1] << 6 | values[at + 2] << 12 | values[at + 3] << 18
        data += word.to_bytes(3, "little")
    return int.from_bytes(data, "little"), int(first, 36)


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
