"""The chaos suite's servers: its own Postgres cluster, and a served stack on it, for the session.

Both test modules (faults, schema fuzzing) share one stack; the figures they gather are
written when it stops, to `chaos-figures.json` or `$OOPS_CHAOS_FIGURES`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chaos.servers import FIGURES, QUEUE_CAP, PrivatePostgres
from tests.gateway.stack import Receiver, Stack


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    """A Postgres cluster of the tests' own, so it can be restarted."""
    server = PrivatePostgres()
    try:
        server.create()
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, postgres: PrivatePostgres) -> Iterator[Stack]:
    """Gateway, two workers and Redis on the private Postgres, with the default 120 s lease.

    Webhook retries run ten times faster than in production, so a two-minute outage of the
    receiver is crossed in minutes, not hours.
    """
    served = Stack(tmp_path_factory.mktemp("chaos"), postgres=postgres.url)
    served.env["OOPS_RATE_LIMIT"] = "100000"
    served.env["OOPS_WEBHOOK_BACKOFF_SCALE"] = "0.1"
    served.env["OOPS_MAX_QUEUE_DEPTH"] = str(QUEUE_CAP)
    try:
        served.start()
        yield served
        FIGURES["peak_memory_kib"] = {**served.peak_memory_kib(), **postgres.peak_memory_kib()}
    finally:
        served.stop()
        _write_figures()


@pytest.fixture(scope="session")
def instructor(stack: Stack) -> dict[str, str]:
    return stack.key("instructor")


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.down()


def _write_figures() -> None:
    path = Path(os.environ.get("OOPS_CHAOS_FIGURES", "chaos-figures.json"))
    path.write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")
