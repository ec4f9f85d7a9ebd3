"""Errors the runner raises, each with a message that says what to do.

RunnerError
├── EngineUnavailable   no Docker engine answers
├── ImageMissing        the sandbox image was never built (`oops setup`)
├── QueueFull           the operator's cap on waiting work is reached; come back later
└── RequestError        a run request the operator's settings refuse
    ├── LimitError      a limit that is not positive or is above its maximum
    ├── UnknownLanguage
    └── InputTooLarge   code or stdin over its size limit
"""

from __future__ import annotations


class RunnerError(Exception):
    """Base of the runner's errors."""


class EngineUnavailable(RunnerError):
    """No Docker engine answers."""


class ImageMissing(RunnerError):
    """The sandbox image for a language does not exist on the engine."""


class QueueFull(RunnerError):
    """As much work waits as the operator allows (`max_queue_depth`); retry after a while."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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
