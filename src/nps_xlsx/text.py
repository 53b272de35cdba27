"""Text that every writer we have can hold: xlsx, CSV, JSON and the terminal.

Whatever a return or a file system hands us, strings pass through here before they reach an
output: lone surrogates (half an emoji, or an undecodable file name), U+FFFE/U+FFFF and the
control characters XML 1.0 cannot hold are removed or escaped. Lengths are measured as Excel
counts them, in UTF-16 code units.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence

EXCEL_CELL_LIMIT = 32_767  # UTF-16 code units in one cell
# Characters no XML 1.0 document, UTF-8 encoder or JSON parser accepts; tab, LF and CR are fine.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# In a file name, line breaks, tabs and DEL are escaped as well.
_UNSAFE_IN_NAME = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def squash(text: str) -> str:
    """Runs of white space as one space, none at either end."""
    return " ".join(text.split())


def fold_space(text: str) -> str:
    """NFC (a name typed on a Mac arrives decomposed), runs of white space as one space, case folded: the strict
    comparison of two typed texts."""
    return squash(unicodedata.normalize("NFC", text)).casefold()


def clean_text(text: str) -> tuple[str, int]:
    """``text`` without the characters no output can hold, and how many were removed."""
    if text.isascii() and text.isprintable():  # the usual case: nothing to remove, and no regular expression
        return text, 0
    cleaned = _UNSAFE.sub("", text)
    return cleaned, len(text) - len(cleaned)


_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")  # one character class: a fast search
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")


def escape_text(text: str) -> str:
    """Text as xlsxwriter writes it in a cell: ``& < >`` escaped, control characters as ``_xHHHH_``."""
    if not _SPECIAL.search(text) and not ("_x" in text and _ESCAPED.search(text)):
        return text
    text = _ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda match: f"_x{ord(match[0]):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


MAX_NAMED = 5  # files or councils named in a message; the rest are counted ("and 3 more")


def named(items: Sequence[str], limit: int = MAX_NAMED, sep: str = ", ") -> str:
    """Up to ``limit`` items, then how many more: ``a, b, c and 2 more``."""
    shown = sep.join(items[:limit])
    return f"{shown} and {len(items) - limit:,} more" if len(items) > limit else shown


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 file``, ``2 files``, ``1,200 value codes``; ``nouns`` for an irregular plural."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def utf16_len(text: str) -> int:
    """The length of ``text`` as Excel counts it: UTF-16 code units (a character beyond U+FFFF counts 2)."""
    return len(text) + len(_ASTRAL.findall(text))


def display_path(path: str | os.PathLike[str] | bytes) -> str:
    """A path as text that any output can hold; never fails.

    Bytes that are not UTF-8 (a name made on another system) are shown as ``\\xNN``;
    control characters as ``\\xNN`` too, so a name cannot break a line, a CSV row or the XML.
    """
    raw = os.fsencode(path)
    text = raw.decode("utf-8", "backslashreplace")
    return _UNSAFE_IN_NAME.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
