"""A saved message of ours (a draft) is known by its X-Nps-Xlsx header, among its headers only, as the rule says."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from nps_xlsx.read.own_outputs import message_kind

# The rule, as written: the headers end at the first blank line, CR or not; one of them is X-Nps-Xlsx with a kind.
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_OURS = re.compile(rb"^X-Nps-Xlsx:[ \t]*(?:invite|chase|reply)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
PIECES = [b"\r", b"\n", b"\r\n", b"\n\n", b"\r\r", b"X-Nps-Xlsx: invite", b"x-nps-xlsx:chase", b"X-NPS-XLSX:\treply \t",
          b"X-Nps-Xlsx: other", b"Subject: x", b"a", b" ", b"\t", b"body"]  # fmt: skip


def by_the_rule(head: bytes) -> str | None:
    return "draft" if _OURS.search(_BLANK_LINE.split(head, maxsplit=1)[0]) else None


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=10))
def test_a_draft_is_known_by_its_header_as_the_rule_says(pieces: list[bytes]) -> None:
    head = b"".join(pieces)
    assert message_kind(head) == by_the_rule(head)


def test_cases() -> None:
    assert message_kind(b"Subject: x\r\nX-Nps-Xlsx: chase\r\n\r\nbody") == "draft"
    assert message_kind(b"X-Nps-Xlsx: invite \r\r\n\r\n") == "draft"  # a CR before the blank line's CR LF
    assert message_kind(b"Subject: x\n\nX-Nps-Xlsx: reply\n") is None  # in the body, not a header
    assert message_kind(b"A" * 60_000) is None  # no blank line: all of it is headers, and none is ours
