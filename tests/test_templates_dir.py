"""``templates/`` holds the generated blank template, and it is up to date."""

from __future__ import annotations

from datetime import datetime, timezone

import openpyxl

from nps_xlsx import layout
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook

from .conftest import REPO

TEMPLATE = REPO / "templates" / "nps2018-template.xlsx"
REFRESH = "nps-xlsx generate --out templates/nps2018-template.xlsx"


def test_committed_template_is_up_to_date(rubric: Rubric) -> None:
    assert TEMPLATE.is_file(), f"missing; run: {REFRESH}"
    book = openpyxl.load_workbook(TEMPLATE, read_only=True)
    meta = {row[0]: row[1] for row in book[layout.META_SHEET].iter_rows(min_row=2, values_only=True)}
    book.close()
    generated_at = datetime.strptime(meta["generated_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    fresh = build_workbook(rubric, BuildOptions(generated_at))
    assert fresh == TEMPLATE.read_bytes(), f"templates/ is out of date with the generator; run: {REFRESH}"
