"""Task functions the engine tests hand to Ray: importable by name, so Ray's workers find them.

``KillOn`` wraps a stage's function and kills its own worker process on a marked item, as a
crash in a C library would: once (the first time, remembered in a flag file) or always.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Generator, Iterator
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from tocsin.engine import RayEngine

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")

LOADS = 0  # how many times this process loaded the stand-in model


@cache
def model() -> object:
    """A stand-in for a stage's model: loaded once per process, counted."""
    global LOADS
    LOADS += 1
    return object()


def pid_and_loads(item: int, extra: None) -> tuple[int, int, int]:
    """The item, the worker's pid and how many times that worker loaded the model."""
    model()
    return item, os.getpid(), LOADS


def fail_on_three(item: int, extra: None) -> int:
    if item == 3:
        raise ValueError("three is bad input")
    return item * item


def wait_for(item: int, gate: str) -> int:
    """The item, once the file ``gate`` exists (or -1 after a minute: the gate never came)."""
    deadline = time.monotonic() + 60
    while not Path(gate).exists():
        if time.monotonic() > deadline:
            return -1
        time.sleep(0.01)
    return item


def describe(item: Any) -> str:
    """What a marker is looked for in: an input's locator, an article's text, a batch's."""
    if isinstance(item, list):
        return " ".join(describe(i) for i in item)
    locator = getattr(item, "locator", None)
    return str(locator) if locator is not None else str(getattr(item, "text", item))


class KillOn:
    """``fn``, except that on an item whose description holds ``marker`` the worker kills
    itself with SIGKILL: only the first time when ``flag`` (a file) is given, else always."""

    def __init__(self, fn: Callable[[Any, Any], Any], marker: str, flag: Path | None) -> None:
        self.fn = fn
        self.marker = marker
        self.flag = flag

    def __call__(self, item: Any, extra: Any) -> Any:
        if self.marker in describe(item):
            first = self.flag is not None and not self.flag.exists()
            if self.flag is None or first:
                if self.flag is not None:
                    self.flag.touch()
                os.kill(os.getpid(), signal.SIGKILL)
        return self.fn(item, extra)


class KillingRayEngine(RayEngine):
    """A Ray engine whose tasks die on marked items (the Ray it uses is already running)."""

    def __init__(self, markers: list[str], flag_dir: Path | None, max_retries: int = 2) -> None:
        super().__init__(num_cpus=2, max_retries=max_retries)
        self.markers = markers
        self.flag_dir = flag_dir

    def map(
        self,
        fn: Callable[[T, A], R],
        items: Iterator[T],
        extra: A,
        on_broken: Callable[[T], R],
        on_wait: Callable[[], None] | None = None,
    ) -> Generator[R, None, None]:
        wrapped: Callable[[T, A], R] = fn
        for n, marker in enumerate(self.markers):
            flag = self.flag_dir / f"killed-{n}" if self.flag_dir is not None else None
            wrapped = KillOn(wrapped, marker, flag)
        return super().map(wrapped, items, extra, on_broken, on_wait)
