"""The worker map: in order, and stopped at once by Ctrl-C, even with a task that never ends."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tocsin.parallel import ordered_map

HANG_TIMEOUT = 60  # only catches a hang, which is the bug


def _square(item: int, extra: None) -> int:
    return item * item


def _hang_on_zero(item: int, marker: str) -> int:
    """Item 0 never finishes; its worker writes its pid to ``marker`` first."""
    if item == 0:
        Path(marker).write_text(str(os.getpid()))
        while True:
            time.sleep(3600)
    return item


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_results_come_in_input_order_from_two_workers() -> None:
    results = ordered_map(_square, iter(range(40)), None, 2, lambda item: -1)
    assert list(results) == [i * i for i in range(40)]


@pytest.mark.slow
def test_ctrl_c_while_waiting_for_an_endless_task_kills_the_workers(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    returned = threading.Event()
    seen: dict[str, bool] = {}

    def interrupt_once_stuck() -> None:
        # The worker has taken item 0, so the map is (or soon will be) waiting for it.
        deadline = time.monotonic() + HANG_TIMEOUT
        while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        seen["stuck"] = marker.exists()
        os.kill(os.getpid(), signal.SIGINT)
        seen["returned"] = returned.wait(HANG_TIMEOUT)
        if not seen["returned"] and seen["stuck"]:
            os.kill(int(marker.read_text()), signal.SIGKILL)  # unblock a map that waits

    sender = threading.Thread(target=interrupt_once_stuck)
    sender.start()
    results = ordered_map(_hang_on_zero, iter(range(4)), str(marker), 2, lambda item: -1)
    try:
        with pytest.raises(KeyboardInterrupt):
            next(results)
    finally:
        returned.set()
        sender.join()
    assert seen == {"stuck": True, "returned": True}, "Ctrl-C waited for the worker (a hang)"
    pid = int(marker.read_text())
    deadline = time.monotonic() + HANG_TIMEOUT
    while _alive(pid):  # killed at once; reaped by the pool's manager thread
        assert time.monotonic() < deadline, "the worker was not killed"
        time.sleep(0.02)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_lost_in_a_finaliser_still_stops_the_map() -> None:
    done: list[int] = []

    class Finalised:
        def __del__(self) -> None:
            # The KeyboardInterrupt is raised here, where Python can only print and drop it.
            signal.raise_signal(signal.SIGINT)

    def work(item: int, extra: None) -> int:
        done.append(item)
        if item == 2:
            Finalised()
        return item

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        for _ in ordered_map(work, iter(range(10)), None, 1, lambda item: -1):
            pass
    assert done == [0, 1, 2]
    assert signal.getsignal(signal.SIGINT) is before
