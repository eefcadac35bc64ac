"""The engine interface the stages use, and the local engine (today's worker processes)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from types import TracebackType
from typing import Protocol, Self, TypeVar

from tocsin.parallel import ordered_map

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")

ENGINES = ("local", "ray")


class Engine(Protocol):
    """Runs ``fn(item, extra)`` for each item somewhere and yields the results in input order.

    ``fn`` must be importable by name (a worker elsewhere imports it) and pure: it may be run
    again after its worker died, so it computes and writes nothing. ``on_broken(item)``
    stands in for the result of an item whose worker kept dying; ``on_wait`` runs before
    the caller waits for a result that is not ready (a writer commits then). Closing the
    generator early stops the work that is still in flight.
    """

    name: str

    def map(
        self,
        fn: Callable[[T, A], R],
        items: Iterator[T],
        extra: A,
        on_broken: Callable[[T], R],
        on_wait: Callable[[], None] | None = None,
    ) -> Generator[R, None, None]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Engine: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Closing:
    """``with engine:`` closes it on the way out, whatever happened."""

    def close(self) -> None:
        """Release what the engine holds."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class LocalEngine(Closing):
    """This machine's worker processes: ``tocsin.parallel.ordered_map``, unchanged."""

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers

    def map(
        self,
        fn: Callable[[T, A], R],
        items: Iterator[T],
        extra: A,
        on_broken: Callable[[T], R],
        on_wait: Callable[[], None] | None = None,
    ) -> Generator[R, None, None]:
        return ordered_map(fn, items, extra, self.workers, on_broken, on_wait)

    def close(self) -> None:
        """Nothing to stop: each map's pool ends with it."""

    def __repr__(self) -> str:
        return f"LocalEngine(workers={self.workers})"


def make_engine(name: str, workers: int, address: str | None = None) -> Engine:
    """The engine called ``name``: local with ``workers`` processes, or Ray (a local Ray of
    ``workers`` CPUs, or the cluster at ``address``)."""
    if name == "local":
        return LocalEngine(workers)
    if name == "ray":
        from tocsin.engine.ray_engine import RayEngine

        return RayEngine(address=address, num_cpus=None if address else workers)
    raise ValueError(f"unknown engine {name!r}: expected one of {', '.join(ENGINES)}")
