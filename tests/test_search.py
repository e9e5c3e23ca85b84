"""The search index's pieces, as search.py writes them (mapgen.js reads them the same
way: tests/test_search_browser.py checks that in a browser)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import copy_example
from mapgen.site import numbers, search
from mapgen.workspace import read_workspace


def decode(text: str) -> list[int]:
    """What mapgen.js's `decode` does, in Python."""
    if text.startswith("~"):
        _, first, bits = text.split("~")
        start = int(first, 36)
        return [start + 6 * i + bit for i, char in enumerate(bits)
                for bit in range(6) if numbers.BITMAP_DIGITS.index(char) >> bit & 1]
    out, previous = [], -1
    for item in filter(None, text.split(",")):
        gap, _, more = item.partition("-")
        first = previous + int(gap, 36)
        out += range(first, first + int(more or "0", 36) + 1)
        previous = out[-1]
    return out


@pytest.mark.parametrize("ids", [
    [0], [5], [0, 1, 2, 3], [3, 9, 10, 11, 40, 1000],
    list(range(0, 4000, 2)), list(range(7, 300)) + list(range(301, 5000, 3)),
    [1295, 2591, 2592, 46655 + 2593],  # gaps either side of the small numbers looked up
    list(range(0, 1297)), [0, 1296, 1297, 1298, 99999],
])
def test_entry_numbers_read_back_as_written(ids):
    assert decode(numbers.encode_ids(ids)) == ids


def bitmap_of(ids: list[int]) -> str:
    """"~first~bits", as mapgen.js reads it: a bit for each number from the first to the
    last, set when it is in ``ids``, six a character, the lowest first."""
    values = [0] * ((ids[-1] - ids[0]) // 6 + 1)
    for number in ids:
        values[(number - ids[0]) // 6] |= 1 << (number - ids[0]) % 6
    return f"~{numbers._base36(ids[0])}~" + "".join(numbers.BITMAP_DIGITS[v] for v in values)


def test_each_list_is_written_the_shorter_way_and_as_a_set_of_bits_the_same():
    """Gaps or a bitmap, whichever is shorter (the bitmap on a tie loses); and a list
    given as a set of bits, as an index updated in place gives it, is written the same."""
    import random

    chooser = random.Random(15)
    lists = [list(range(7, 7 + step * 300, step)) for step in (11, 12, 13)]  # near a tie
    for size in (63, 64, 65, 200, 2000):
        for density in (0.01, 0.1, 0.2, 0.4, 0.9, 1.0):
            span = int(size / density) + chooser.randrange(30)
            start = chooser.randrange(3000)
            lists.append(sorted(chooser.sample(range(start, start + span + 1), size)))
    for ids in lists:
        written = numbers.encode_ids(ids)
        gaps, bitmap = numbers.encode_gaps(ids), bitmap_of(ids)
        assert written == (bitmap if len(ids) >= 64 and len(bitmap) < len(gaps) else gaps)
        assert decode(written) == ids
        assert numbers.encode_set(*numbers.set_of(ids)) == written
        if written.startswith("~"):
            assert numbers.bitmap_set(written) == numbers.set_of(ids)


def test_a_common_word_is_written_as_a_bitmap_a_rare_one_as_gaps():
    assert numbers.encode_ids(list(range(0, 9000, 2))).startswith("~")
    assert numbers.encode_ids([4, 700, 9000]) == "5,jc,6ek"  # gaps 5, 696, 8300 in base 36


@pytest.mark.parametrize("text, expected", [
    ("Sees the cashback—land!", {"sees", "the", "cashback", "land"}),
    ("ÉTÉ naïve Ｆｕｌｌ", {"été", "naïve", "full"}),
    ("払い戻し", {"払", "い", "戻", "し", "払い", "い戻", "戻し"}),
    ("IBAN確認", {"iban", "確", "認", "確認"}),
])
def test_terms_are_words_and_for_cjk_characters_and_pairs(text, expected):
    assert search.terms(text) == expected


@pytest.mark.parametrize("entries, buckets", [(1, 1), (100, 1), (101, 2), (46_000, 512),
                                              (10**7, search.MAX_BUCKETS)])
def test_the_index_has_a_power_of_two_term_files(entries, buckets):
    assert search.bucket_count(entries) == buckets


def test_every_term_is_in_the_file_its_first_two_characters_name(tmp_path):
    root = copy_example(tmp_path)
    (root / "pages").mkdir()
    (root / "pages/why.md").write_text("# Why we map\n\nResearch notes.\n", encoding="utf-8")
    ws = read_workspace(root).workspace
    files = search.index_files(ws)
    assert sorted(files) == sorted(search.paths(ws))
    assert search.entry_count(ws) == len(list(search.entries(ws)))
    meta = _data(files["assets/search/meta.js"])
    assert meta["entries"] == len(list(search.entries(ws))) and "page" in meta["kinds"]
    for n in range(meta["buckets"]):
        for term in _data(files[f"assets/search/t{n}.js"]):
            assert search.bucket_of(term, meta["buckets"]) == n
    blocks = [e for n in range(len(files) - meta["buckets"] - 1)
              for e in _data(files[f"assets/search/e{n}.js"])]
    assert [b[2] for b in blocks] == [e.url for e in search.entries(ws)]
    assert blocks[-1] == [meta["kinds"].index("page"), "Why we map", "pages/why.html"]


def _data(script: bytes) -> object:
    text = script.decode()
    assert text.startswith("(MAPGEN_SEARCH_PARTS=window.MAPGEN_SEARCH_PARTS||{})")
    return json.loads(re.sub(r"^[^=]+=[^=]+=", "", text).rstrip(";\n"))
