"""Read: a file's bytes become a :class:`~nps_xlsx.read.raw.RawWorkbook`, sheets of cells as the file holds them.

Owns everything about files and containers: listing a returns folder (``files``), the resource guards
(``safety``), sniffing the container and mapping its errors (``workbook.read_workbook``), the ``.xlsx``
reader with its fast scanner (``xlsx``, ``xlsx_scan``), the ``.ods`` and ``.xls`` readers, and recognising
the files nps-xlsx itself writes (``own_outputs``). Problems are ``ReadFailure`` codes, never issues:
what they mean for a return is the validator's business.

May import only the top-level modules (``a1``, ``columns``, ``layout``, ``text``...), never another stage.
"""

from .raw import RawWorkbook, ReadFailure
from .workbook import FileFacts, Finding, read_bytes, read_workbook

__all__ = ["FileFacts", "Finding", "RawWorkbook", "ReadFailure", "read_bytes", "read_workbook"]
