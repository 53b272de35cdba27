"""While returns are read, cyclic garbage is looked for rarely, and what is kept is frozen until the job ends."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect import collection, parallel
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import fill_bytes
from nps_xlsx.validate.check import FileReport, FileStatus


@pytest.fixture(autouse=True)
def _thawed() -> object:
    """Each test starts and ends with nothing frozen and CPython's thresholds (a failed test leaves neither)."""
    threshold = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_reading_relaxes_the_collector_then_restores_it_and_freezes_what_was_kept() -> None:
    before = gc.get_threshold()
    with collection.few_collections():
        assert gc.get_threshold() == (collection.READING_GC_THRESHOLD, *before[1:])
        kept = [[n] for n in range(5000)]  # containers made while reading, kept (as the reports are)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() >= len(kept)


def test_workers_read_with_the_relaxed_collector(monkeypatch: pytest.MonkeyPatch, rubric: Rubric) -> None:
    """Each report says, from the process that read it, which threshold its collector had."""

    def say_threshold(path: Path, _rubric: Rubric, _limits: object) -> list[FileReport]:
        said = f"pid {os.getpid()} threshold {gc.get_threshold()[0]}"
        return [FileReport(str(path), FileStatus.SKIPPED, skip_reason=said)]

    monkeypatch.setattr(parallel, "read_returns", say_threshold)  # forked workers see it too
    paths = [Path(f"return-{n}.xlsx") for n in range(16)]
    reports = collection.read_all(paths, rubric, workers=2)
    assert [r.path for r in reports] == [str(p) for p in paths]
    for report in reports:
        pid, threshold = report.skip_reason.split()[1::2]  # type: ignore[union-attr]
        assert int(pid) != os.getpid()
        assert int(threshold) == collection.READING_GC_THRESHOLD
    assert gc.get_threshold()[0] != collection.READING_GC_THRESHOLD  # restored here


def test_collect_leaves_nothing_frozen(tmp_path: Path, template_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    for n in range(2):
        (returns / f"council-{n}.xlsx").write_bytes(
            fill_bytes(template_path.read_bytes(), {}, {"council_name": f"Council {n}"})
        )
    result = CliRunner().invoke(main, ["collect", str(returns), "--out", str(tmp_path / "summary.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "summary.xlsx").exists()
    assert gc.get_freeze_count() == 0
