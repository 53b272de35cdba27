"""Reading per writer (issue 18): is a return read close to the floor whatever program saved it?

    python bench/writers.py [--n 40] [--repeat 3] [--workdir DIR]

Takes the first ``--n`` readable returns of the bench corpus (bench/corpus.py, 350 returns, built or reused in
``--workdir``) and makes, once (cached in the work directory), the same returns as each writer saves them:

* ``nps-xlsx``: as the corpus holds them (the template as xlsxwriter writes it, filled as a council would);
* ``LibreOffice``: re-saved by ``soffice --convert-to xlsx`` (one call for all);
* ``Gnumeric``: re-saved by ``ssconvert``;
* ``Excel 365 attributes``: the corpus files with ``cm="1" vm="1"`` added to every cell, the cell-metadata
  attributes Excel 365 writes on dynamic-array and linked-data cells (synthetic: Excel cannot run here).

For each, in one process, best of ``--repeat`` interleaved rounds of CPU time: the floor (unzip, then expat with
no handlers over every worksheet and the string table: bench/run.py's), ``read_return`` as ``collect``'s workers
run it, and ``read_return`` with the fast path off (``NPS_XLSX_FAST_PATH=0``: expat callbacks for every cell).
It also counts the parts the fast path declined (read by expat instead): 0 means every worksheet and the
string table were read by the fast path. Needs soffice and ssconvert (skips a writer whose program is missing).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.parsers import expat

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meter import log

from corpus import ensure_corpus

_CELL_START = re.compile(rb"<c(?=[\s>/])")


def sample(corpus: Path, n: int) -> list[Path]:
    """The first ``n`` returns of ``corpus`` that are zip files (the corpus plants a few truncated ones)."""
    chosen = []
    for path in sorted(corpus.glob("*.xlsx")):
        if zipfile.is_zipfile(path):
            chosen.append(path)
        if len(chosen) == n:
            break
    return chosen


def excel_365_form(source: Path, target: Path) -> None:
    """``source`` with ``cm="1" vm="1"`` on every cell of every worksheet (members otherwise copied as they are)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                data = _CELL_START.sub(b'<c cm="1" vm="1"', data)
            new.writestr(info, data)


def make_writers(files: list[Path], workdir: Path) -> dict[str, list[Path]]:
    """Each writer's copies of ``files`` (made once, then reused); a writer whose program is missing is left out."""
    sets: dict[str, list[Path]] = {"nps-xlsx": files}
    excel = workdir / f"writers-{len(files)}" / "excel-365"
    libre = workdir / f"writers-{len(files)}" / "libreoffice"
    gnumeric = workdir / f"writers-{len(files)}" / "gnumeric"
    for folder in (excel, libre, gnumeric):
        folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        if not (excel / path.name).exists():
            excel_365_form(path, excel / path.name)
    sets["Excel 365 attributes"] = [excel / p.name for p in files]
    if shutil.which("soffice"):
        missing = [p for p in files if not (libre / p.name).exists()]
        if missing:
            log(f"LibreOffice: re-saving {len(missing)} returns ...")
            profile = (workdir / "lo-profile").resolve().as_uri()
            command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx"]
            subprocess.run([*command, "--outdir", str(libre), *map(str, missing)], capture_output=True, check=True)
        sets["LibreOffice"] = [libre / p.name for p in files]
    if shutil.which("ssconvert"):
        missing = [p for p in files if not (gnumeric / p.name).exists()]
        if missing:
            log(f"Gnumeric: re-saving {len(missing)} returns ...")
        for path in missing:
            subprocess.run(["ssconvert", str(path), str(gnumeric / path.name)], capture_output=True, check=True)
        sets["Gnumeric"] = [gnumeric / p.name for p in files]
    return sets


def floor(paths: list[Path]) -> None:
    """bench/run.py's floor: unzip, then expat with no handlers over every worksheet and the string table."""
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name == "xl/sharedStrings.xml" or (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    expat.ParserCreate().Parse(archive.read(name), True)


def declined(paths: list[Path]) -> int:
    """How many worksheets and string tables of ``paths`` the fast path declines (and expat reads instead)."""
    from nps_xlsx.read import xlsx as reader
    from nps_xlsx.read import xlsx_scan

    count = 0
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            strings: list[str] = []
            for name in (n for n in names if n.lower().endswith("sharedstrings.xml")):
                data = archive.read(name)
                strings = reader._parse_shared_strings(data, name)
                count += xlsx_scan.scan_shared_strings(data, lambda item: [""] * 2) != strings
            maker = reader._CellMaker(strings, frozenset(), reader.EPOCH_1900)
            for name in (n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
                data = archive.read(name)
                count += b"<sheetData>" in data and xlsx_scan.scan_cells(data, maker, 10**6, name) is None
    return count


def cpu_of(job: Callable[[], object]) -> float:
    start = time.process_time()
    job()
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="returns per writer (default 40)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many interleaved rounds (default 3)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nps-bench"), help="corpora and re-saves")
    args = parser.parse_args(argv)
    from nps_xlsx.read import xlsx_scan
    from nps_xlsx.rubric import default_rubric_path, load_rubric
    from nps_xlsx.validate.check import read_return

    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus, _manifest = ensure_corpus(args.workdir, 350)
    writers = make_writers(sample(corpus, args.n), args.workdir)
    rubric = load_rubric(default_rubric_path())

    def read_all(paths: list[Path], fast: bool) -> None:
        os.environ[xlsx_scan.FAST_PATH_ENV] = "1" if fast else "0"
        for path in paths:
            read_return(path, rubric, None)

    best: dict[tuple[str, str], float] = {}
    for round_ in range(args.repeat):
        log(f"round {round_ + 1} of {args.repeat} ...")
        for writer, paths in writers.items():
            for what, job in (
                ("floor", lambda p=paths: floor(p)),
                ("read", lambda p=paths: read_all(p, True)),
                ("expat only", lambda p=paths: read_all(p, False)),
            ):
                seconds = cpu_of(job)
                best[writer, what] = min(best.get((writer, what), seconds), seconds)
    os.environ.pop(xlsx_scan.FAST_PATH_ENV, None)
    n = args.n
    print(f"Reading per writer: {n} returns each, CPU ms a file, best of {args.repeat} interleaved rounds")
    heads = ("floor", "read", "read/floor", "expat only", "fast/expat")
    print(f"{'writer':24s} {heads[0]:>7s} {heads[1]:>7s} {heads[2]:>11s} {heads[3]:>11s} {heads[4]:>11s}  declined")
    for writer, paths in writers.items():
        a, r, e = (best[writer, what] * 1000 / n for what in ("floor", "read", "expat only"))
        print(f"{writer:24s} {a:7.2f} {r:7.2f} {r / a:10.2f}x {e:11.2f} {r / e:10.2f}x  {declined(paths)} parts")
    print("declined: worksheets and string tables the fast path left to expat (0: all read by the fast path)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
