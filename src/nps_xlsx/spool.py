"""Comments kept on disk while many returns are collected, so memory does not grow with them."""

from __future__ import annotations

import pickle
import tempfile
from dataclasses import replace

from .response import Response


class CommentSpool:
    """An append-only temporary file of each return's comments (one tuple per return)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._offsets: dict[str, int] = {}  # path -> offset

    def stash(self, path: str, response: Response) -> Response:
        """Move ``response``'s comments to disk; return it with empty comments."""
        comments = tuple(answer.comment for answer in response.answers)
        offset = self._file.seek(0, 2)
        pickle.dump(comments, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._offsets[path] = offset
        return replace(response, answers=tuple(replace(answer, comment="") for answer in response.answers))

    def comments(self, path: str) -> tuple[str, ...] | None:
        """The comments stashed for ``path``, in answer order, or ``None`` if none were."""
        if path not in self._offsets:
            return None
        self._file.seek(self._offsets[path])
        return pickle.load(self._file)

    def has(self, path: str) -> bool:
        """Whether comments were stashed for ``path``."""
        return path in self._offsets

    def close(self) -> None:
        self._file.close()
