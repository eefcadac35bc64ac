"""The engine interface without Ray: the local engine is today's worker pool, and the CLI
names the engines (the Ray engine itself: test_ray_engine.py)."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from tocsin.cli import main
from tocsin.engine import ENGINES, LocalEngine, RayEngine, make_engine
from tocsin.errors import ConfigError

from .tasks import fail_on_three


def test_the_local_engine_maps_in_order_over_two_processes() -> None:
    with LocalEngine(2) as engine:
        results = list(engine.map(fail_on_three, iter([0, 1, 2, 4, 5]), None, lambda i: -1))
    assert results == [0, 1, 4, 16, 25]


def test_an_error_the_task_raises_reaches_the_caller_of_the_local_engine() -> None:
    results = LocalEngine(1).map(fail_on_three, iter(range(5)), None, lambda i: -1)
    with pytest.raises(ValueError, match="three is bad input"):
        list(results)


def test_make_engine_builds_each_engine_by_name() -> None:
    local = make_engine("local", 3)
    assert isinstance(local, LocalEngine)
    assert local.workers == 3
    ray = make_engine("ray", 2)
    assert isinstance(ray, RayEngine)
    assert (ray.address, ray.num_cpus, ray.owned) == (None, 2, False)  # nothing started yet
    remote = make_engine("ray", 2, "ray://127.0.0.1:10001")
    assert isinstance(remote, RayEngine)
    assert (remote.address, remote.num_cpus) == ("ray://127.0.0.1:10001", None)
    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        make_engine("spark", 1)


def test_closing_a_ray_engine_that_never_started_does_nothing() -> None:
    engine = RayEngine(num_cpus=1)
    engine.close()
    assert not engine.owned


@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_the_commands_offer_the_engines(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "--engine [" + "|".join(ENGINES) + "]" in result.output
    assert "--ray-address" in result.output


def test_an_unknown_engine_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["extract", "--db", "x.db", "--engine", "spark"])
    assert result.exit_code == 2
    assert "'spark' is not one of 'local', 'ray'" in result.output


def test_the_ray_engine_without_ray_installed_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(ConfigError, match=r"pip install 'tocsin\[ray\]'"):
        RayEngine(num_cpus=1).start()
