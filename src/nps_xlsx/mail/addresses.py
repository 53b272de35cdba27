"""Email addresses as a council list holds them: one or several in a cell, separated by ``;`` or ``,``, each a bare
address or ``Name <address>``."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr

from ..councils import EMAIL, Council, council_email
from ..text import named

_SEPARATORS = re.compile(r"[;,]")


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """The usable addresses in ``text`` (``jo@dacorum.gov.uk``), and the parts that are not one, as written."""
    good: list[str] = []
    bad: list[str] = []
    for part in (p.strip() for p in _SEPARATORS.split(text)):
        if part:
            address = usable(part)
            (good if address else bad).append(address or part)
    return list(dict.fromkeys(good)), bad


def usable(text: str) -> str | None:
    """The address ``text`` gives (``Jo <jo@x.gov.uk>`` or ``jo@x.gov.uk``), or ``None`` if it is not one a message
    can go to: an ASCII local part, ``@``, and a domain with a dot."""
    _name, spec = parseaddr(text)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]+", spec):
        return None
    try:
        return Address(addr_spec=spec).addr_spec
    except (HeaderParseError, ValueError, IndexError):  # what the parser raises for a malformed address
        return None


def shown(addresses: list[str] | tuple[str, ...]) -> str:
    """Addresses as a report shows them: ``a@x.gov.uk; b@x.gov.uk``."""
    return "; ".join(addresses)


def council_addresses(council: Council) -> tuple[tuple[str, ...], str | None]:
    """The addresses in the council's ``email`` column, or why there are none to write to."""
    if not any(EMAIL.exact(header) or EMAIL.alias(header) for header, _value in council.extra):
        return (), "the council list has no email column (call it 'email')"
    good, bad = parse_addresses(council_email(council))
    if bad:
        return (), f"{named([repr(b) for b in bad])} in the council list's email column is not an email address"
    if not good:
        return (), "no email address in the council list"
    return tuple(good), None
