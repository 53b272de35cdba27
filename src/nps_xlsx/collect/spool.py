"""Comments kept on disk while many returns are collected, so memory does not grow with them; and each answer
kept once, however many returns give it."""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import replace
from operator import attrgetter

from ..validate.response import Answer, Response, Target

_FIELDS = Answer.__match_args__
_COMMENT = _FIELDS.index("comment")
_VALUES = attrgetter(*_FIELDS)  # an answer's fields as one tuple, got in C
_TARGET = attrgetter(*Target.__match_args__)
_RESPONSE = Response.__match_args__
_ANSWERS, _TARGETS = _RESPONSE.index("answers"), _RESPONSE.index("targets")
_RESPONSE_VALUES = attrgetter(*_RESPONSE)


class CommentSpool:
    """An append-only temporary file of each return's comments (one pickled tuple per return).

    Reads use ``os.pread`` (no shared file position), so a forked child can read it while the parent does.
    Without its comment, an answer (value code, level, drop-downs, cells) is the same in many returns: each
    distinct one is kept once and shared by the returns that give it (answers are frozen), which takes most of the
    memory of a return kept.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 (closed by close())
        self._places: dict[str, tuple[int, int]] = {}  # path -> (offset, length)
        self._size = 0
        self._answers: dict[tuple[object, ...], Answer] = {}  # an answer's fields -> the one kept
        self._targets: dict[tuple[object, ...], Target] = {}  # and each distinct target level too

    def stash(self, path: str, response: Response) -> Response:
        """Move ``response``'s comments to disk; return it with empty comments, each answer the one kept of its
        value.

        Nothing is written for a return without comments (most of them), so :meth:`comments` gives ``None``, and
        its answers' comments are the empty ones."""
        values = list(map(_VALUES, response.answers))
        comments = tuple(value[_COMMENT] for value in values)
        kept = self._answers
        if any(comments):
            data = pickle.dumps(comments, protocol=pickle.HIGHEST_PROTOCOL)
            written = 0
            while written < len(data):
                written += self._file.write(data[written:]) or 0
            self._places[path] = (self._size, len(data))
            self._size += len(data)
            values = [(*value[:_COMMENT], "", *value[_COMMENT + 1 :]) if value[_COMMENT] else value for value in values]
        else:
            self._places.pop(path, None)
        answers = tuple(
            kept.get(value) or kept.setdefault(value, _without_comment(answer))
            for answer, value in zip(response.answers, values, strict=True)
        )
        fields = list(_RESPONSE_VALUES(response))  # made again by its constructor, not dataclasses.replace (slower)
        fields[_ANSWERS] = answers
        fields[_TARGETS] = tuple(self._targets.setdefault(_TARGET(target), target) for target in response.targets)
        return Response(*fields)

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
    """``answer`` with an empty comment (itself if it has none)."""
    return replace(answer, comment="") if answer.comment else answer
