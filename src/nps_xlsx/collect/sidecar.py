"""Run one job in a forked child process while this process goes on with another.

``collect`` writes its outputs after every return has been read; writing the responses
CSV, and the rows of the summary's Comments table, in children while the parent writes
the rest of the summary workbook puts the second core to work. The child is a fork, so
it sees everything the parent had (nothing is pickled on the way in); its result comes
back pickled, and an exception it raises is raised again in the parent by :meth:`Sidecar.wait`.
Where ``fork`` is not available, or when asked for one process only, the job just runs inline.
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any


class SidecarError(RuntimeError):
    """The child failed in a way that could not be passed back as its own exception."""


class Sidecar:
    """``with Sidecar(parallel) as side: side.start(job); ...`` waits for ``job`` on leaving the block."""

    def __init__(self, parallel: bool = True) -> None:
        self.parallel = parallel and "fork" in multiprocessing.get_all_start_methods()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._results: Connection | None = None
        self._then: Callable[[Any], object] | None = None
        self._result: Any = None

    def start(self, job: Callable[[], object], then: Callable[[Any], object] | None = None) -> None:
        """Start ``job`` in a child (or run it now, if not parallel); ``then`` gets its result on :meth:`wait`."""
        if self._process is not None:
            raise RuntimeError("a sidecar runs one job at a time")
        self._then = then
        if not self.parallel:
            self._result = job()
            return
        context = multiprocessing.get_context("fork")
        self._results, sender = context.Pipe(duplex=False)

        def run() -> None:
            try:
                outcome: bytes = pickle.dumps((job(), None))
            except BaseException as exc:  # everything goes back to the parent
                try:
                    outcome = pickle.dumps((None, exc))
                except Exception:
                    outcome = pickle.dumps((None, SidecarError("".join(traceback.format_exception(exc)))))
            sender.send_bytes(outcome)
            sender.close()

        self._process = context.Process(target=run, name="nps-xlsx-sidecar", daemon=True)
        self._process.start()
        sender.close()

    def wait(self) -> None:
        """Wait for the job to end; raise what it raised, or hand its result to ``then``."""
        process, results, then = self._process, self._results, self._then
        self._then = None
        if process is None or results is None:
            if then is not None:
                then(self._result)
            self._result = None
            return
        self._process = self._results = None
        try:
            outcome = results.recv_bytes() if results.poll(None) else None
        except EOFError:
            outcome = None
        finally:
            results.close()
            process.join()
        if outcome is None:
            raise SidecarError(f"the helper process ended without a result (exit code {process.exitcode})")
        result, error = pickle.loads(outcome)
        if error is not None:
            raise error
        if then is not None:
            then(result)

    def stop(self) -> None:
        """Stop the job if it is still running (its result is not wanted); nothing if it was waited for."""
        self._then = self._result = None
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            if self._results is not None:
                self._results.close()
            self._process = self._results = None

    def __enter__(self) -> Sidecar:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if error is None:
            self.wait()
        else:  # the parent failed: do not leave the child behind
            self.stop()
