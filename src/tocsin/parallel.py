"""Worker processes shared by the stages: an ordered, bounded map that survives crashes; and
its counterpart on threads, for fetching.

Workers are spawned (not forked), ignore Ctrl-C, die with their parent, and keep glibc's heap
steady over long batches. Ctrl-C is the parent's: it stops waiting at once, kills the workers
(whatever they hold is lost and done again by the next run) and lets the caller commit what
it has whole.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from multiprocessing import get_context
from types import FrameType
from typing import TypeVar

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")

WINDOW_PER_WORKER = 8  # tasks in flight per worker: enough to keep it busy, little memory


def ordered_map(
    fn: Callable[[T, A], R],
    items: Iterator[T],
    extra: A,
    workers: int,
    on_broken: Callable[[T], R],
    on_wait: Callable[[], None] | None = None,
) -> Generator[R, None, None]:
    """``fn(item, extra)`` for each item in ``workers`` processes, yielded in input order.

    At most ``workers * WINDOW_PER_WORKER`` items are in flight, so memory does not grow
    with the input. A worker that dies (a crash in a C library on one input) costs that
    input only: ``on_broken(item)`` stands in for its result, the pool is rebuilt and the
    items that were waiting are submitted again. ``fn`` must be importable by name.

    When the map ends early (Ctrl-C while waiting for a result, an error in the caller, the
    caller closing it), the workers are killed rather than waited for: a task that never
    ends cannot hold the parent. A Ctrl-C that Python could not raise where it arrived (in a
    finaliser) is raised before the next item.

    ``on_wait`` runs before the parent waits for a result that is not ready (a writer
    commits then, so that it holds no lock while the workers work).
    """
    with _InterruptWatch() as watch:
        if workers <= 1:
            for item in items:
                watch.check()
                yield fn(item, extra)
            return
        yield from _pooled(fn, items, extra, workers, on_broken, watch, on_wait)


def _pooled(
    fn: Callable[[T, A], R],
    items: Iterator[T],
    extra: A,
    workers: int,
    on_broken: Callable[[T], R],
    watch: _InterruptWatch,
    on_wait: Callable[[], None] | None = None,
) -> Generator[R, None, None]:
    window = workers * WINDOW_PER_WORKER
    pending: list[tuple[T, Future[R]]] = []
    pool = _pool(workers)
    finished = False
    try:
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < window:
                nxt = next(items, None)
                if nxt is None:
                    exhausted = True
                    break
                pending.append((nxt, pool.submit(fn, nxt, extra)))
            if not pending:
                break
            watch.check()
            item, future = pending.pop(0)
            if on_wait is not None and not future.done():
                on_wait()
            try:
                yield future.result()
            except BrokenProcessPool:
                yield on_broken(item)
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(workers)
                pending = [(i, pool.submit(fn, i, extra)) for i, _ in pending]
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down now: kill its workers, cancel what waits, wait for nothing.

    The pool's manager thread sees the workers die, fails their futures and reaps them.
    """
    # The executor's own worker table: ProcessPoolExecutor.kill_workers() exists from
    # Python 3.14 only.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with suppress(OSError, ValueError):  # already gone, or closed
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


class _InterruptWatch:
    """Counts the SIGINTs that arrive while a map runs, passing each on to the handler
    before it (Python's raises KeyboardInterrupt).

    Python raises KeyboardInterrupt in whatever code runs when the signal arrives; in a
    finaliser or a callback it is printed and dropped, and the run would go on. ``check``
    raises it again between items. Off the main thread, or when SIGINT is ignored or left
    to the system, nothing is installed.
    """

    def __init__(self) -> None:
        self.count = 0
        self.previous: Callable[[int, FrameType | None], object] | int | None = None
        self.installed = False

    def __enter__(self) -> _InterruptWatch:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):
                self.previous = previous
                signal.signal(signal.SIGINT, self._handle)
                self.installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        # A generator can be closed by the garbage collector on another thread.
        if self.installed and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        assert callable(self.previous)
        self.previous(signum, frame)

    def check(self) -> None:
        """Raise KeyboardInterrupt if a SIGINT arrived and was not raised where it did."""
        if self.count:
            self.count = 0
            raise KeyboardInterrupt


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_worker)


def _init_worker() -> None:
    # Ctrl-C is handled by the parent, which commits and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    steady_malloc()


def _die_with_parent() -> None:
    """Ask Linux to end this worker when its parent dies (``kill -9`` leaves no orphans)."""
    # Off Linux there is no such call: orphans end when they next read from the closed pipe.
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def steady_malloc() -> bool:
    """Fix glibc's mmap and trim thresholds at 128 KiB, so memory freed after a page goes back.

    By default glibc raises its mmap threshold each time a large block is freed, after which
    pages' big buffers come from the heap and stay there: a worker's RSS then wanders 93-104
    MB and its peak grows with the number of pages seen. Fixed thresholds hold it at 93 MB
    for 3% more time (measured on 3,000 benchmark pages). Returns False off glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(
            libc.mallopt(_M_MMAP_THRESHOLD, 128 * 1024)
            and libc.mallopt(_M_TRIM_THRESHOLD, 128 * 1024)
        )
    except (OSError, AttributeError):
        return False


def threaded_map(
    fn: Callable[[T], R],
    items: Iterator[T],
    threads: int,
    on_wait: Callable[[], None] | None = None,
) -> Generator[R, None, None]:
    """``fn(item)`` for each item on up to ``threads`` threads, yielded in input order: for
    work that waits on the network, not the CPU. ``items`` is read in the caller's thread
    (it may use what only that thread may, a store's connection), at most twice
    ``threads`` ahead of what was yielded. ``on_wait`` runs before the caller waits for a
    result that is not ready. Closing the generator early cancels what has not started and
    waits only for what is under way (each fetch has its own deadline)."""
    if threads <= 1:
        for item in items:
            yield fn(item)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="tocsin-fetch") as pool:
        ahead: deque[Future[R]] = deque()
        try:
            for item in items:
                ahead.append(pool.submit(fn, item))
                if len(ahead) >= 2 * threads:
                    yield _result(ahead.popleft(), on_wait)
            while ahead:
                yield _result(ahead.popleft(), on_wait)
        finally:
            for waiting in ahead:
                waiting.cancel()


def _result(future: Future[R], on_wait: Callable[[], None] | None) -> R:
    if on_wait is not None and not future.done():
        on_wait()
    return future.result()


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last may be shorter), read lazily."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
