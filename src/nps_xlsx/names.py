"""Comparing council names as people type them.

``fold_name`` reduces a name to the words that tell one council from another, so that
"Dacorum BC", "dacorum borough council" and "Dacorum  Borough Council." compare equal while
"Watford Borough Council" and "Dacorum Borough Council" do not. Steps: Unicode NFC (a name
typed on a Mac arrives decomposed, NFD), accents dropped, case folded, "&" read as "and",
"St" as "Saint", punctuation and spacing ignored, and the words that only say what kind of
council it is ("Borough Council", "BC", "DC", "CC", "MBC", "City of", ...) left out.
"""

from __future__ import annotations

import re
import unicodedata

# Words (after folding) that say what kind of council it is, not which one.
_KIND_WORDS = frozenset(
    {
        *("council", "borough", "district", "county", "city", "metropolitan", "royal", "unitary", "authority"),
        *("london", "of", "the", "bc", "dc", "cc", "mbc", "mdc", "lbc", "rbc", "ua", "lb"),
    }
)
_SAME_WORDS = {"st": "saint", "&": "and"}
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`]")
_WORD = re.compile(r"&|\w+")


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (composed) form: a name typed in NFD compares equal to the same name in NFC."""
    return unicodedata.normalize("NFC", text)


def fold_space(text: str) -> str:
    """NFC, case folded, runs of white space as one space: the strict comparison of two names."""
    return " ".join(nfc(text).split()).casefold()


def fold_name(name: str) -> str:
    """The words of ``name`` that identify the council, folded as described in the module docstring."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = [_SAME_WORDS.get(w, w) for w in _WORD.findall(_APOSTROPHES.sub("", plain).casefold())]
    kept = [w for w in words if w not in _KIND_WORDS]
    while kept and kept[-1] == "and":  # "St Albans City and District Council"
        kept.pop()
    while kept and kept[0] == "and":
        kept.pop(0)
    return " ".join(kept or words)


def same_council(a: str, b: str) -> bool:
    """Whether two typed names name the same council (see :func:`fold_name`)."""
    return fold_name(a) == fold_name(b)


class NameIndex:
    """Council codes by name: an exact match (after :func:`fold_space`) first, else a unique :func:`fold_name` match.

    A folded name shared by two codes (say a county and a city council of the same place) matches neither.
    """

    def __init__(self) -> None:
        self._exact: dict[str, str] = {}
        self._loose: dict[str, str | None] = {}

    def add(self, name: str, code: str) -> None:
        """Record ``name`` for ``code``; the first code given for a name is kept."""
        self._exact.setdefault(fold_space(name), code)
        loose = fold_name(name)
        if self._loose.setdefault(loose, code) not in (code, None):
            self._loose[loose] = None  # ambiguous

    def get(self, name: str) -> str | None:
        """The code of the council called ``name``, if exactly one matches."""
        return self._exact.get(fold_space(name)) or self._loose.get(fold_name(name))
