"""Engines that run the stages' work: the local processes of ``tocsin.parallel``, or a
Ray cluster (``--engine ray``; docs/engine.md).

A stage hands an engine a pure function of one item and its options; the engine runs it
wherever it runs things and yields the results in input order, so the stage, which alone
writes to the store, stores the same rows whatever engine computed them.
"""

from tocsin.engine.base import ENGINES, Engine, LocalEngine, make_engine
from tocsin.engine.ray_engine import RayEngine

__all__ = ["ENGINES", "Engine", "LocalEngine", "RayEngine", "make_engine"]
