"""Tests of the engines that run the stages' work (tocsin.engine)."""
