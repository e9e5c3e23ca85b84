"""The fast label wrapper must break lines exactly as textwrap does."""

from __future__ import annotations

import textwrap

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mapgen.diagrams.wrap import wrap

#: Words, spaces, and what textwrap treats specially: hyphens, tabs, newlines, NBSP.
LABEL = st.lists(st.sampled_from(["a", "b", " ", "  ", "-", "é", "\t", "\n", ".", "😀",
                                  "\u00a0", "word", "longerword", "Instagram"]),
                 max_size=30).map("".join)


@settings(max_examples=2000, deadline=None)
@given(LABEL, st.integers(min_value=1, max_value=40))
@example("Sees a welcome-cashback ad on Instagram", 28)
@example("Step 1 of awareness in journey 123", 28)
@example("", 28)
@example(" leading and trailing ", 10)
def test_wrap_gives_textwraps_lines(text, width):
    assert wrap(text, width) == textwrap.wrap(text, width, break_long_words=True)
