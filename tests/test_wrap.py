"""Labels wrap by display width: Latin text exactly as textwrap, CJK text by columns."""

from __future__ import annotations

import textwrap

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mapgen.diagrams.metrics import columns
from mapgen.diagrams.wrap import NO_LINE_START, wrap

#: Words, spaces, and what textwrap treats specially: hyphens, tabs, newlines, NBSP.
LABEL = st.lists(st.sampled_from(["a", "b", " ", "  ", "-", "é", "\t", "\n", ".", "Ж",
                                  "\u00a0", "word", "longerword", "Instagram"]),
                 max_size=30).map("".join)
#: Japanese, with the punctuation that may not start a line, Latin words and emoji.
WIDE_LABEL = st.lists(st.sampled_from(["口", "座", "開設", "。", "、", "「", "」", "ー", "ッ",
                                       "eKYC", "a", " ", "😀", "アプリ"]),
                      min_size=1, max_size=40).map("".join)


@settings(max_examples=2000, deadline=None)
@given(LABEL, st.integers(min_value=1, max_value=40))
@example("Sees a welcome-cashback ad on Instagram", 28)
@example("Step 1 of awareness in journey 123", 28)
@example("", 28)
@example(" leading and trailing ", 10)
def test_wrap_gives_textwraps_lines(text, width):
    assert wrap(text, width) == textwrap.wrap(text, width, break_long_words=True)


@settings(max_examples=1000, deadline=None)
@given(WIDE_LABEL, st.integers(min_value=2, max_value=40))
def test_wide_text_fits_its_columns_and_keeps_every_character(text, width):
    lines = wrap(text, width)
    assert all(columns(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_japanese_wraps_between_characters_and_keeps_punctuation_with_them():
    lines = wrap("マイナンバーカードで本人確認。スマホで撮影してeKYCを完了する", 16)
    assert lines == ["マイナンバーカー", "ドで本人確認。ス", "マホで撮影して", "eKYCを完了する"]
    lines = wrap("本人確認をします。「確認」ボタンを押す", 16)
    assert not any(line[0] in NO_LINE_START for line in lines)
    assert not any(line.endswith("「") for line in lines)
