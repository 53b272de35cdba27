"""Render the README's pictures from the real files: a key-area sheet of a filled return, with the
chosen levels highlighted, and the Overview of the summary of the bundled samples.

Each workbook is printed to PDF by LibreOffice (a private profile, headless), the page is found by
its text and cropped to the text on it (less the footer) by pdftoppm. Needs ``soffice`` and
poppler-utils (``pdftotext``, ``pdftoppm``). Re-run it whenever the template or the summary
changes: ``python tools/render_pictures.py`` (writes docs/key-area-sheet.png and
docs/summary-overview.png).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from defusedxml import ElementTree

from nps_xlsx import layout
from nps_xlsx.councils import load_councils
from nps_xlsx.rubric import load_rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

REPO = Path(__file__).resolve().parents[1]
XHTML = "{http://www.w3.org/1999/xhtml}"
DPI = 100
MARGIN = 14.0  # points around the text (a chart's frame reaches a little beyond its labels)
FOOTER = 50.0  # points at the foot of the page that hold the footer, left out
LEVELS = (3, 2, 4)  # the chosen level of the first key area's value codes, in order
PRIORITIES = ("High", "Medium", "High")  # and their priority, and support wanted
SUPPORT = ("No", "Yes", "No")
TARGET = 4  # the first key area's target level
COMMENTS = (
    "A corporate procurement strategy approved by Cabinet sets out how we apply this.",
    "Practice varies between departments and is not monitored.",
    "Evidence: quarterly reports to the Audit Committee and the published contracts register.",
)


@dataclass(frozen=True)
class Box:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float


def filled_return() -> bytes:
    """A return for one council with the first key area answered (levels from LEVELS, a target level, priorities
    and support wanted)."""
    rubric = load_rubric()
    template = build_workbook(rubric, BuildOptions(datetime(2026, 1, 15, tzinfo=timezone.utc)))
    choices = layout.score_choices(rubric)
    codes = rubric.areas[0].value_codes
    answers = {
        code.id: Typed(choices[level - 1], comment, priority, support)
        for code, level, comment, priority, support in zip(codes, LEVELS, COMMENTS, PRIORITIES, SUPPORT, strict=False)
    }
    council = load_councils(REPO / "samples" / "councils.csv")[0]
    targets = {rubric.areas[0].id: choices[TARGET - 1]}
    return fill_bytes(template, answers, {"council_name": council.name}, targets)


def summary(work: Path) -> Path:
    """The summary of the bundled samples, collected from a copy (so that paths are short and relative)."""
    shutil.copytree(REPO / "samples" / "returns", work / "returns")
    shutil.copy(REPO / "samples" / "councils.csv", work / "councils.csv")
    args = ["collect", "returns", "--expected", "councils.csv", "--out", "summary.xlsx", "--force"]
    subprocess.run(
        [sys.executable, "-c", "from nps_xlsx.cli import main; main()", *args],
        cwd=work,
        check=True,
        capture_output=True,
    )
    return work / "summary.xlsx"


def to_pdf(sources: list[Path], work: Path) -> list[Path]:
    """Print each workbook to PDF with LibreOffice (one run, a private profile)."""
    profile = (work / "lo-profile").resolve().as_uri()
    soffice = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf"]
    subprocess.run([*soffice, "--outdir", str(work), *map(str, sources)], check=True, capture_output=True)
    return [work / f"{source.stem}.pdf" for source in sources]


def content_box(pdf: Path, anchor: str, also: str) -> Box:
    """The box around the text of the first page with a line reading ``anchor`` and one holding ``also``,
    footer left out."""
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True).stdout
    for number, page in enumerate(ElementTree.fromstring(xhtml).iter(f"{XHTML}page"), 1):
        lines = list(page.iter(f"{XHTML}line"))
        texts = [" ".join(word.text or "" for word in line) for line in lines]
        if anchor not in texts or not any(also in text for text in texts):
            continue
        bottom = float(page.get("height", "0")) - FOOTER
        boxes = [[float(line.get(key, "0")) for key in ("xMin", "yMin", "xMax", "yMax")] for line in lines]
        boxes = [box for box in boxes if box[3] < bottom]
        return Box(
            number,
            min(box[0] for box in boxes) - MARGIN,
            min(box[1] for box in boxes) - MARGIN,
            max(box[2] for box in boxes) + MARGIN,
            max(box[3] for box in boxes) + MARGIN,
        )
    raise SystemExit(f"no page of {pdf} has the line {anchor!r}")


def to_png(pdf: Path, box: Box, target: Path) -> Path:
    """Crop ``box`` out of its page at DPI dots per inch into ``target``."""
    scale = DPI / 72
    crop = [
        round(box.x0 * scale),
        round(box.y0 * scale),
        round((box.x1 - box.x0) * scale),
        round((box.y1 - box.y0) * scale),
    ]
    args = ["-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3])]
    page = ["-f", str(box.page), "-l", str(box.page)]
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(DPI), *page, *args, str(pdf), str(stem)], check=True)
    return target


def render(out_dir: Path) -> list[Path]:
    """Write the two pictures into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rubric = load_rubric()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        (work / "return.xlsx").write_bytes(filled_return())
        area_pdf, summary_pdf = to_pdf([work / "return.xlsx", summary(work)], work)
        return [
            to_png(
                area_pdf,
                content_box(area_pdf, rubric.areas[0].name, "Back to the cover"),
                out_dir / "key-area-sheet.png",
            ),
            to_png(
                summary_pdf,
                content_box(summary_pdf, "Returns", "Overall score distribution"),
                out_dir / "summary-overview.png",
            ),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs", help="where to write the PNGs (default: docs/)")
    for path in render(parser.parse_args().out_dir):
        print(f"{path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
