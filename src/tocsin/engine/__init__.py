"""Engines that run the stages' work: the local processes of ``tocsin.parallel``, or a
Ray cluster (``--engine ray``; docs/engine.md)."""
