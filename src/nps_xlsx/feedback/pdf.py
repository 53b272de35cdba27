"""Rendering feedback workbooks to PDF with LibreOffice (``soffice``), all in one run, with a private profile."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import NpsXlsxError

TIMEOUT = 600  # seconds for one LibreOffice run, however many workbooks


class PdfError(NpsXlsxError):
    """The workbooks cannot be rendered to PDF: LibreOffice is missing or failed."""


def soffice() -> str:
    """The path of LibreOffice's ``soffice``; raises :class:`PdfError` saying how to get it if it is not on PATH."""
    found = shutil.which("soffice")
    if found is None:
        raise PdfError(
            "--pdf needs LibreOffice, and its program 'soffice' is not on PATH; install LibreOffice "
            "(e.g. apt-get install libreoffice-calc) or leave out --pdf"
        )
    return found


def render_pdfs(workbooks: list[Path], program: str) -> dict[Path, bytes]:
    """Each workbook rendered to PDF by one LibreOffice run: the PDF's bytes by workbook."""
    if not workbooks:
        return {}
    with tempfile.TemporaryDirectory(prefix="nps-xlsx-pdf-") as scratch:
        profile, out = Path(scratch) / "profile", Path(scratch) / "out"
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",  # private: never collides with a LibreOffice already open
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, workbooks),
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(f"LibreOffice could not render the PDFs: {exc}") from exc
        pdfs = {book: out / f"{book.stem}.pdf" for book in workbooks}
        missing = [book.name for book, pdf in pdfs.items() if not pdf.is_file()]
        if missing:
            detail = (result.stderr or result.stdout).strip()
            raise PdfError(
                f"LibreOffice (exit {result.returncode}) did not render {', '.join(missing)}"
                + (f": {detail}" if detail else "")
            )
        return {book: pdf.read_bytes() for book, pdf in pdfs.items()}
