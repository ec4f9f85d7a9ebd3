"""Errors the runner raises, each with a message that says what to do.

RunnerError
├── EngineUnavailable   no Docker engine answers
├── ImageMissing        the sandbox image was never built (`oops setup`)
├── NotFound            an id that names nothing the caller may see
├── Conflict            a request the current state cannot satisfy (nothing to regrade)
└── RequestError        a run request the operator's settings refuse
    ├── LimitError      a limit that is not positive or is above its maximum
    ├── UnknownLanguage
    ├── InputTooLarge   code or stdin over its size limit
    └── TooMuchWork     more cases or submissions than one request may queue
"""

from __future__ import annotations


class RunnerError(Exception):
    """Base of the runner's errors."""


class EngineUnavailable(RunnerError):
    """No Docker engine answers."""


class ImageMissing(RunnerError):
    """The sandbox image for a language does not exist on the engine."""


class NotFound(RunnerError):
    """An id that names nothing the caller may see; `kind` says what it should have named."""

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"no {kind} with id {ident}")
        self.kind = kind
        self.ident = ident


class Conflict(RunnerError):
    """A request the current state of the record cannot satisfy."""


class RequestError(RunnerError):
    """A run request that cannot be accepted as it is; `field` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class LimitError(RequestError):
    """A limit that is not positive or exceeds the operator's maximum."""


class UnknownLanguage(RequestError):
    """A language OopsEngine has no sandbox image for."""


class InputTooLarge(RequestError):
    """Code or stdin larger than the operator allows."""


class TooMuchWork(RequestError):
    """More work than one request may queue at once."""
