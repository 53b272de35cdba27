"""Shared fixtures: the bundled rubric and the workbooks built from it."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from nps_xlsx.councils import Council
from nps_xlsx.rubric import Rubric, load_rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.template.personalise import Personaliser
from nps_xlsx.testing import fill_bytes

REPO = Path(__file__).resolve().parents[1]
FIXED_TIME = datetime(2026, 1, 15, tzinfo=timezone.utc)


def fill_copy(copies: Personaliser, council: Council, answers: dict, typed: str | None = None) -> bytes:
    """The council's personalised copy filled in on 1 November 2026, its name (or ``typed``) on the cover."""
    cover = {"council_name": typed or council.name, "completion_date": date(2026, 11, 1)}
    return fill_bytes(copies.build(council), answers, cover)


DACORUM = Council("E07000096", "Dacorum Borough Council")


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="session")
def template_path(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The blank template, written once per test session."""
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    path.write_bytes(build_workbook(rubric, BuildOptions(FIXED_TIME)))
    return path


@pytest.fixture(scope="session")
def personalised_path(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy personalised for Dacorum, written once per test session."""
    path = tmp_path_factory.mktemp("personalised") / "dacorum.xlsx"
    path.write_bytes(build_workbook(rubric, BuildOptions(FIXED_TIME), DACORUM))
    return path


def require_program(name: str) -> str:
    """The path of a real client; skip without it, but fail under CI, where it must run."""
    import os
    import shutil

    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed; .ci/run must install it so real-client tests run")
        pytest.skip(f"{name} is not installed (apt-get install libreoffice-calc gnumeric poppler-utils)")
    return path
