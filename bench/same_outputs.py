"""Check that two source trees of nps-xlsx write the same outputs:
python bench/same_outputs.py A_SRC B_SRC CORPUS [--cohort DIR]

Runs ``collect`` with each source tree (PYTHONPATH=A_SRC, then B_SRC) on CORPUS, plain and (with ``--cohort``, a
folder holding councils.csv and responses-2021.csv) with --expected, --chase, --group-by type --group-by region,
--previous and --round 2025. SOURCE_DATE_EPOCH is set, so the runs are reproducible. Then compares: every CSV byte
for byte; the summary workbook part by part, unzipped (docProps normalised for their timestamps), and through
openpyxl every sheet's cell values and row heights. Prints one line per output and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CSVS = ("responses.csv", "ledger.csv", "chase.csv")
_STAMP = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def collect_args(corpus: str, out: Path, cohort: str | None) -> list[str]:
    """``collect``'s arguments: CORPUS into ``out``, with issue 13's options if ``cohort`` is given."""
    args = ["collect", corpus, "--out", str(out / "summary.xlsx")]
    args += ["--csv", str(out / "responses.csv"), "--ledger", str(out / "ledger.csv")]
    if cohort:
        args += ["--expected", f"{cohort}/councils.csv", "--chase", str(out / "chase.csv")]
        args += ["--group-by", "type", "--group-by", "region", "--previous", f"{cohort}/responses-2021.csv"]
        args += ["--round", "2025"]
    return args


def trees_parser() -> argparse.ArgumentParser:
    """The arguments of a comparison of two source trees on a corpus."""
    parser = argparse.ArgumentParser()
    parser.add_argument("a_src", help="the first source tree (e.g. /work/main/src)")
    parser.add_argument("b_src", help="the second")
    parser.add_argument("corpus", help="a folder of returns")
    parser.add_argument("--cohort", help="a cohort-N folder: add issue 13's options")
    return parser


def run(src: str, corpus: str, out: Path, cohort: str | None) -> None:
    out.mkdir(parents=True)
    args = [sys.executable, "-c", "from nps_xlsx.cli import main; main()", *collect_args(corpus, out, cohort)]
    env = {**os.environ, "PYTHONPATH": src, "SOURCE_DATE_EPOCH": "1767225600"}
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"collect failed with {src}:\n{done.stderr}")
    (out / "console.txt").write_text((done.stdout + done.stderr).replace(str(out), "OUT"))


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        found = {name: book.read(name) for name in book.namelist()}
    return {name: _STAMP.sub(b"", data) if name.startswith("docProps/") else data for name, data in found.items()}


def sheets(path: Path) -> dict[str, tuple[list[tuple[object, ...]], dict[int, float | None]]]:
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {
        ws.title: (
            [tuple(c.value for c in row) for row in ws.iter_rows()],
            {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None},
        )
        for ws in book.worksheets
    }


def compare(a: Path, b: Path) -> list[str]:
    differ = []
    for name in (*CSVS, "console.txt"):
        if (a / name).exists() or (b / name).exists():
            same = (a / name).exists() and (b / name).exists() and (a / name).read_bytes() == (b / name).read_bytes()
            print(f"  {name}: {'identical' if same else 'DIFFERENT'} ({(a / name).stat().st_size:,} bytes)")
            differ += [] if same else [name]
    pa, pb = parts(a / "summary.xlsx"), parts(b / "summary.xlsx")
    changed = sorted(n for n in pa.keys() | pb.keys() if pa.get(n) != pb.get(n))
    print(f"  summary.xlsx: {len(pa)} parts, {'all identical' if not changed else 'DIFFERENT: ' + ', '.join(changed)}")
    differ += changed
    sa, sb = sheets(a / "summary.xlsx"), sheets(b / "summary.xlsx")
    cells = sum(len(row) for rows, _ in sa.values() for row in rows)
    same = sa == sb
    print(f"  summary.xlsx via openpyxl: {len(sa)} sheets, {cells:,} cells: {'identical' if same else 'DIFFERENT'}")
    return differ + ([] if same else ["openpyxl"])


def main() -> None:
    options = trees_parser().parse_args()
    with tempfile.TemporaryDirectory(prefix="same-outputs-") as scratch:
        a, b = Path(scratch, "a"), Path(scratch, "b")
        run(options.a_src, options.corpus, a, options.cohort)
        run(options.b_src, options.corpus, b, options.cohort)
        print(f"{options.corpus}{' with ' + options.cohort if options.cohort else ''}:")
        differ = compare(a, b)
    print("same outputs" if not differ else f"DIFFERENT: {', '.join(differ)}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
