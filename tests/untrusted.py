"""Returns holding any text at all, written the way Excel writes what XML cannot hold (``_xHHHH_``).

:func:`fill_text` is :func:`nps_xlsx.testing.fill_bytes` for arbitrary strings: lone surrogates
(half an emoji), U+FFFE/U+FFFF and control characters reach the reader as Excel's escapes,
everything else as UTF-8 text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from xml.sax.saxutils import escape as xml_escape

from nps_xlsx.testing import Typed, fill_bytes

# What XML 1.0 (or UTF-8) cannot carry, and CR (which XML would read as LF): written as _xHHHH_.
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_LITERAL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")


def excel_escape(text: str) -> str:
    """``text`` as element content, as Excel writes it: a literal ``_xHHHH_`` gets its ``_`` escaped."""
    text = _LITERAL_ESCAPE.sub(r"_x005F\g<0>", text)
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m[0]):04X}_", xml_escape(text))


def fill_text(
    template: bytes,
    scores: Mapping[str, str | None],
    comments: Mapping[str, str | None],
    cover: Mapping[str, str],
) -> bytes:
    """A return whose score cells, comment cells and cover fields hold exactly the given text."""
    placeholders: dict[str, str] = {}

    def hold(text: str | None) -> str | None:
        if text is None:
            return None
        key = f"QQ{len(placeholders)}QQ"
        placeholders[key] = excel_escape(text)
        return key

    answers = {code: Typed(hold(scores.get(code)), hold(comments.get(code))) for code in {*scores, *comments}}
    data = fill_bytes(template, answers, {name: hold(text) for name, text in cover.items()})
    pattern = re.compile(rb"QQ[0-9]+QQ")
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                member = pattern.sub(lambda m: placeholders[m[0].decode()].encode("utf-8"), member)
            target.writestr(info, member)
    return out.getvalue()
