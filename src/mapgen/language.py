"""Language: BCP 47 language tags, and which way a language's text runs.

A workspace and a journey may say which language they are written in (``lang: ja``) and
which way their text runs (``dir: rtl``). The site puts both on its pages, so browsers
choose the right fonts, hyphenation and layout direction; the diagrams of a right-to-left
journey run right to left.
"""

from __future__ import annotations

import re
import unicodedata

#: A well-formed BCP 47 tag (RFC 5646): language, extended language, script, region,
#: variants, extensions and a private use part, or a private use tag alone. Letters in
#: any case: "en-GB", "zh-Hant-TW", "ar", "sr-Latn", "x-klingon".
TAG_PATTERN = (
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+)$"
)
_TAG = re.compile(TAG_PATTERN)

#: Languages written right to left by default.
RTL_LANGUAGES = frozenset({
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "nqo", "prs", "ps", "sd",
    "syr", "ug", "ur", "yi",
})
#: Scripts written right to left (ISO 15924), for tags such as "az-Arab" or "pa-Arab".
RTL_SCRIPTS = frozenset({
    "adlm", "arab", "hebr", "mand", "mend", "nkoo", "rohg", "samr", "syrc", "thaa", "yezi",
})


def is_tag(text: str) -> bool:
    return _TAG.fullmatch(text) is not None


def tag_problem(text: str) -> str:
    """Why ``text`` is not a language tag, and what to write instead."""
    hint = text.replace("_", "-")
    if hint != text and is_tag(hint):
        return f'"{text}" is not a BCP 47 language tag; write "{hint}" (a dash, not "_")'
    return (f'"{text}" is not a BCP 47 language tag; write a language code such as '
            '"en", "ja", "ar" or "pt-BR"')


def direction_of_tag(tag: str) -> str:
    """"rtl" for a language written right to left (by its script when the tag names
    one), else "ltr"."""
    parts = tag.lower().split("-")
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            return "rtl" if part in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def direction_of_text(*texts: str) -> str:
    """The direction of the first strongly directional character (as ``dir="auto"``)."""
    for text in texts:
        for char in text:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
    return "ltr"
