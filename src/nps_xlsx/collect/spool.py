"""Comments kept on disk while many returns are collected, so memory does not grow with them."""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import replace

from ..validate.response import Answer, Response

_FIELDS = Answer.__match_args__
_COMMENT = _FIELDS.index("comment")


class CommentSpool:
    """An append-only temporary file of each return's comments (one pickled tuple per return).

    Reads use ``os.pread`` (no shared file position), so a forked child can read it while the parent does.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 (closed by close())
        self._places: dict[str, tuple[int, int]] = {}  # path -> (offset, length)
        self._size = 0

    def stash(self, path: str, response: Response) -> Response:
        """Move ``response``'s comments to disk; return it with empty comments.

        A return without comments (most of them) is returned as it is, and nothing is written for it (so
        :meth:`comments` gives ``None``, and its answers' comments are the empty ones)."""
        comments = tuple(answer.comment for answer in response.answers)
        if not any(comments):
            self._places.pop(path, None)
            return response
        data = pickle.dumps(comments, protocol=pickle.HIGHEST_PROTOCOL)
        written = 0
        while written < len(data):
            written += self._file.write(data[written:]) or 0
        self._places[path] = (self._size, len(data))
        self._size += len(data)
        answers = tuple(_without_comment(answer) if answer.comment else answer for answer in response.answers)
        return replace(response, answers=answers)

    def comments(self, path: str) -> tuple[str, ...] | None:
        """The comments stashed for ``path``, in answer order, or ``None`` if none were."""
        place = self._places.get(path)
        if place is None:
            return None
        comments: tuple[str, ...] = pickle.loads(os.pread(self._file.fileno(), place[1], place[0]))
        return comments

    def close(self) -> None:
        self._file.close()


def _without_comment(answer: Answer) -> Answer:
    """``answer`` with an empty comment: made by its constructor (``dataclasses.replace`` looks up its fields for
    each of the sixty answers of each return)."""
    fields = list(map(answer.__getattribute__, _FIELDS))
    fields[_COMMENT] = ""
    return Answer(*fields)
