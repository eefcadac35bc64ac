"""The watcher's loop: wait for the next due source, run a cycle, hand its result on.

The wait is on a ``threading.Event``: whoever sets it (the command's SIGTERM handler, a
test) stops the watcher at once while it waits, or after the current step of a cycle
(``run_cycle`` looks at it between steps). Ctrl-C raises KeyboardInterrupt as anywhere in
tocsin; what was done is kept.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tocsin.errors import StoreError, StoreLocked
from tocsin.store.db import Store
from tocsin.watch.cycle import CycleOptions, CycleResult, next_due, run_cycle
from tocsin.watch.sources import Source

MAX_WAIT = 3600.0  # seconds waited at once; the clock is read again after it


@contextmanager
def one_watcher(db: Path) -> Iterator[None]:
    """Hold the store's watcher lock (``DB.watch-lock`` beside it) for the block: a second
    watcher on the store is refused (StoreLocked) rather than taking the first one's
    running cycle for a killed one. The operating system drops the lock when the process
    ends, however it ends, so a killed watcher never leaves it held."""
    path = db.with_name(db.name + ".watch-lock")
    try:
        handle = path.open("a+b")
    except OSError as exc:
        raise StoreError(f"cannot make the watcher's lock {path}: {exc.strerror}") from exc
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreLocked(f"another tocsin watch is running on {db}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def watch(
    store: Store,
    sources: Sequence[Source],
    options: CycleOptions | None = None,
    *,
    cycles: int | None = None,
    stop: threading.Event | None = None,
    on_cycle: Callable[[CycleResult], None] = lambda _result: None,
) -> int:
    """Run cycles as the sources fall due until ``stop`` is set or ``cycles`` have run;
    ``on_cycle`` gets each cycle's result (to print it, to evaluate its alerts). Returns
    how many cycles ran. ``cycles`` 1 runs one cycle now: the due sources only (``--once``,
    for cron or a systemd timer). Every cycle but the last yields to a due source
    (``run_cycle``'s ``defer``): the last one finishes its work."""
    options = options or CycleOptions()
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set() and (cycles is None or done < cycles):
        if done:  # the first cycle runs at once; the later ones when a source is due
            wait = _seconds_to_next(store, sources, options)
            if wait > 0:
                stop.wait(min(wait, MAX_WAIT))
                continue
        last = cycles is not None and done + 1 >= cycles
        result = run_cycle(store, sources, options.clock(), options, stop=stop, defer=not last)
        done += 1
        on_cycle(result)
    return done


def _seconds_to_next(store: Store, sources: Sequence[Source], options: CycleOptions) -> float:
    now = options.clock()
    when = next_due(sources, store, now)
    if when is None:
        return MAX_WAIT
    return (when - now).total_seconds()
