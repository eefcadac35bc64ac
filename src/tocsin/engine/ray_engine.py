"""The Ray engine: the stages' per-item work as Ray tasks, on this machine or a cluster.

Ray schedules the tasks, reuses its worker processes (so a model a stage function caches at
module level loads once per worker) and re-runs a task whose worker died. This module only
keeps a bounded window of tasks in flight and hands results back in input order, so the
caller, the single writer, stores exactly what the local engine would.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import suppress
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from tocsin.engine.base import Closing
from tocsin.errors import ConfigError

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")

WINDOW_PER_CPU = 8  # tasks in flight per CPU, as the local engine keeps per worker
MAX_RETRIES = 2  # runs of a task after its worker died, before the item counts as broken

# Ray's own switch: unset, it swaps the loopback for the machine's routable address; a Ray
# started here is for this machine only, so it is told to stay on 127.0.0.1.
_LOOPBACK_ONLY_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


class RayEngine(Closing):
    """Runs the stages' work on Ray: a local Ray started on first use, or a running cluster.

    ``address`` names a running cluster (``ray://host:10001`` or ``host:6379``; "auto" for
    the one this machine belongs to); without it a Ray of ``num_cpus`` CPUs (default: all)
    is started on 127.0.0.1 and shut down by ``close``. A Ray already initialised in this
    process is used as it is and left running. ``runtime_env`` is handed to ``ray.init``
    (how a cluster's workers get tocsin: docs/engine.md); a local Ray's workers get this
    process's import path, as the local engine's spawned workers do.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        max_retries: int = MAX_RETRIES,
        runtime_env: dict[str, Any] | None = None,
    ) -> None:
        self.address = address
        self.num_cpus = num_cpus if num_cpus and num_cpus > 0 else None
        self.max_retries = max_retries
        self.runtime_env = runtime_env
        self.owned = False  # this engine started the Ray it uses, and stops it

    def start(self) -> None:
        """Connect to Ray, starting a local one if needed; does nothing the second time."""
        ray = _import_ray(local=self.address is None)
        if ray.is_initialized():
            return
        if self.address is not None:
            try:
                ray.init(
                    address=self.address,
                    runtime_env=self.runtime_env,
                    logging_level=logging.WARNING,
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(f"cannot use the Ray cluster at {self.address}: {exc}") from exc
        else:
            ray.init(
                num_cpus=self.num_cpus or os.cpu_count() or 1,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                runtime_env=self.runtime_env or _import_path_env(),
                logging_level=logging.WARNING,
            )
        self.owned = True

    def cpus(self) -> int:
        """CPUs the cluster has now (at least 1)."""
        ray = _import_ray(local=self.address is None)
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def close(self) -> None:
        """Shut down the Ray this engine started; one it found running is left alone."""
        if self.owned:
            _import_ray(local=self.address is None).shutdown()
            self.owned = False

    def __repr__(self) -> str:
        where = self.address or f"local, {self.num_cpus or 'all'} CPUs"
        return f"RayEngine({where})"

    def map(
        self,
        fn: Callable[[T, A], R],
        items: Iterator[T],
        extra: A,
        on_broken: Callable[[T], R],
        on_wait: Callable[[], None] | None = None,
    ) -> Generator[R, None, None]:
        """``fn(item, extra)`` for each item as a Ray task, yielded in input order.

        At most ``cpus * WINDOW_PER_CPU`` tasks are in flight, so memory does not grow with
        the input. A task whose worker died is run again by Ray up to ``max_retries``
        times; if it still dies, ``on_broken(item)`` stands in for its result and the run
        goes on. An exception ``fn`` raises reaches the caller, as with the local engine.
        Closing the map early cancels the tasks in flight (their workers are killed).
        """
        self.start()
        ray = _import_ray(local=self.address is None)
        broken = _broken_errors(ray)
        task = _task(ray).options(max_retries=self.max_retries)
        fn_ref, extra_ref = ray.put(fn), ray.put(extra)
        window = self.cpus() * WINDOW_PER_CPU
        pending: deque[tuple[T, Any]] = deque()
        finished = False
        try:
            exhausted = False
            while pending or not exhausted:
                while not exhausted and len(pending) < window:
                    nxt = next(items, _END)
                    if nxt is _END:
                        exhausted = True
                        break
                    pending.append((nxt, task.remote(fn_ref, nxt, extra_ref)))
                if not pending:
                    break
                item, ref = pending.popleft()
                if on_wait is not None and not ray.wait([ref], timeout=0)[0]:
                    on_wait()
                try:
                    result: R = ray.get(ref)
                except broken:
                    result = on_broken(item)
                yield result
            finished = True
        finally:
            if not finished:
                for _, ref in pending:
                    with suppress(Exception):  # already finished, or Ray already gone
                        ray.cancel(ref, force=True)


_END: Any = object()


def _call(fn: Callable[[T, A], R], item: T, extra: A) -> R:
    """The one Ray task: the stage's function on one item (Ray resolves the references)."""
    return fn(item, extra)


@cache
def _task(ray: ModuleType) -> Any:
    return ray.remote(_call)


def _broken_errors(ray: ModuleType) -> tuple[type[BaseException], ...]:
    """Ray's errors for a task whose process or node died (not an error the task raised)."""
    exc = ray.exceptions
    return (exc.WorkerCrashedError, exc.NodeDiedError, exc.OutOfMemoryError)


def _import_ray(local: bool) -> ModuleType:
    """Ray, imported on first use (the local engine never pays for it); for a local Ray,
    told to keep to the loopback."""
    if local:
        os.environ.setdefault(_LOOPBACK_ONLY_ENV, "0")  # for the processes Ray starts
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "the Ray engine needs Ray, which is not installed: pip install 'tocsin[ray]'"
        ) from exc

    if local and os.environ.get(_LOOPBACK_ONLY_ENV) == "0":
        # Read when Ray was imported, which may have been before this engine ran.
        ray._private.ray_constants.ENABLE_RAY_CLUSTER = False
    return ray


def _import_path_env() -> dict[str, Any]:
    """A runtime_env giving a local Ray's workers this process's import path (its checkout
    or test folders), without the interpreter's own folders, which they have already."""
    own = (sys.base_prefix, sys.prefix)
    paths = [
        p
        for p in sys.path
        if p and Path(p).is_dir() and "site-packages" not in p and not p.startswith(own)
    ]
    return {"env_vars": {"PYTHONPATH": os.pathsep.join(paths)}} if paths else {}
