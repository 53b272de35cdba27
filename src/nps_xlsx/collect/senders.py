"""Returns that came by email: is the sender's address one the council list gives for the council?

The council list may have an email column (see :func:`nps_xlsx.councils.council_emails`). A used return that came
in a saved email is checked against the addresses of the council it counts under: the sender's address, or its
domain (a colleague at ``@dacorum.gov.uk``), must be one of them. When neither is, the return gets a
``sender-mismatch`` warning naming the council whose address it is, if any: it is still used, since people send
returns from their own addresses, but a return sent from another council's address is worth a look.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..councils import Council, council_emails
from ..validate.check import FileStatus
from ..validate.issues import Location, make_issue
from .ledger import USABLE, LedgerEntry


def check_senders(entries: Iterable[LedgerEntry], expected: list[Council]) -> None:
    """Warn on each used return whose email's sender is not an address (or domain) of its council on ``expected``."""
    addresses = {council.code.casefold(): council_emails(council) for council in expected}
    owners: dict[str, Council] = {}
    for council in expected:
        for address in addresses[council.code.casefold()]:
            owners.setdefault(address, council)
    names = {council.code.casefold(): council.name for council in expected}
    for entry in entries:
        message = entry.report.message
        if entry.status not in USABLE or message is None or not message.sender or not entry.code:
            continue
        own = addresses.get(entry.code.casefold())
        sender = message.sender.casefold()
        if not own or sender in own or _domain(sender) in {_domain(address) for address in own}:
            continue
        other = owners.get(sender)
        whose = f"; it is the address of {other.name} ({other.code})" if other else ""
        detail = (
            f"the email came from {message.sender}, which is not {names[entry.code.casefold()]}'s address on the "
            f"council list ({', '.join(own)}){whose}"
        )
        entry.report.issues.append(make_issue("sender-mismatch", Location(entry.report.path), detail, value=sender))
        entry.status = entry.report.status = FileStatus.ACCEPTED_WITH_WARNINGS
        note = f"sent from {message.sender}, not the council's address" + (f" but {other.name}'s" if other else "")
        entry.note = f"{entry.note}; {note}" if entry.note else note


def _domain(address: str) -> str:
    return address.rpartition("@")[2]
