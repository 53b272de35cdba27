"""A job run by a Sidecar comes back with its result or its exception, in a child or inline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nps_xlsx.collect.sidecar import Sidecar, SidecarError
from nps_xlsx.errors import OutputError


@pytest.mark.parametrize("parallel", [True, False])
def test_result_reaches_then_and_work_is_done(tmp_path: Path, parallel: bool) -> None:
    seen: list[object] = []
    out = tmp_path / "child.txt"
    with Sidecar(parallel) as side:
        side.start(lambda: (out.write_text(str(os.getpid())), os.getpid())[1], then=seen.append)
        assert seen == []  # not before the wait
    assert seen == [int(out.read_text())]
    assert (seen[0] != os.getpid()) is parallel  # in another process only when parallel


@pytest.mark.parametrize("parallel", [True, False])
def test_the_jobs_exception_is_raised_in_the_parent(parallel: bool) -> None:
    def fail() -> None:
        raise OutputError("out.csv: cannot write here")

    with pytest.raises(OutputError, match="cannot write here"), Sidecar(parallel) as side:
        side.start(fail)


def test_an_exception_that_cannot_travel_is_described() -> None:
    class Local(Exception):  # not picklable: defined inside a function
        pass

    def fail() -> None:
        raise Local("details here")

    with pytest.raises(SidecarError, match="details here"), Sidecar(True) as side:
        side.start(fail)


def test_a_child_that_dies_is_reported() -> None:
    with pytest.raises(SidecarError, match="exit code 3"), Sidecar(True) as side:
        side.start(lambda: os._exit(3))


def test_the_child_is_stopped_when_the_parent_fails(tmp_path: Path) -> None:
    marker = tmp_path / "late"

    def slow() -> None:
        import time

        time.sleep(5)
        marker.write_text("ran on")

    with pytest.raises(KeyError), Sidecar(True) as side:
        side.start(slow)
        process = side._process
        raise KeyError("parent failed")
    assert process is not None and not process.is_alive()
    assert not marker.exists()
