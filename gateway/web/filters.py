"""How pages write numbers and states: scores without needless decimals, verdicts in words.

A verdict's colour always comes with its name and a symbol, so it reads the same to someone who
does not see the colour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LABELS = {
    "passed": ("✓", "Passed", "good"),
    "ok": ("✓", "OK", "good"),
    "completed": ("✓", "Completed", "good"),
    "wrong_answer": ("✗", "Wrong answer", "bad"),
    "timeout": ("⧗", "Time limit", "bad"),
    "memory_limit": ("▲", "Memory limit", "bad"),
    "output_limit": ("▲", "Output limit", "bad"),
    "runtime_error": ("!", "Runtime error", "bad"),
    "compile_error": ("!", "Compile error", "bad"),
    "internal_error": ("?", "Internal error", "warn"),
    "queued": ("…", "Queued", "wait"),
    "running": ("…", "Running", "wait"),
}


def number(value: float | None) -> str:
    """A score as people write it: `8`, `7.5`, `0.33`; a dash when there is none."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def mib(kib: int | None) -> str:
    """Memory in MiB with one decimal."""
    return "—" if not kib else f"{kib / 1024:.1f} MiB"


def label(state: str | None) -> dict[str, str]:
    """The symbol, words and tone (colour class) of a verdict or status."""
    if state is None:
        return {"symbol": "·", "text": "Not graded", "tone": "wait"}
    symbol, text, tone = LABELS.get(state, ("•", state.replace("_", " ").capitalize(), "wait"))
    return {"symbol": symbol, "text": text, "tone": tone}


def percent(done: int, total: int) -> int:
    """Whole percent done, for a progress bar."""
    return 100 if total == 0 else round(100 * done / total)


FILTERS: dict[str, Callable[..., Any]] = {"number": number, "mib": mib, "label": label}
GLOBALS: dict[str, Any] = {"percent": percent}
