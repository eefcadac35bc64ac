"""The package's shape: layers import only layers below them, modules stay package-sized,
functions stay simple. The contract is in pyproject.toml ([tool.importlinter])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from radon.complexity import cc_visit

SRC = Path(__file__).resolve().parents[1] / "src" / "tocsin"
MAX_LINES = 600
MAX_COMPLEXITY = 20
# Modules and functions allowed over the limits: none. The lists may only shrink: a test
# below fails when one of them is back under its limit and still listed, or when anything
# not listed goes over.
LONG_MODULES: set[str] = set()
COMPLEX_FUNCTIONS: set[str] = set()


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_each_layer_imports_only_the_layers_below_it() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(SRC.parents[1] / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=SRC.parents[1],
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(p.relative_to(SRC))
        for p in _modules()
        if len(p.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert long <= LONG_MODULES, f"over {MAX_LINES} lines: {sorted(long - LONG_MODULES)}"
    assert long == LONG_MODULES, f"back under the limit, unlist: {sorted(LONG_MODULES - long)}"


def test_no_function_is_more_complex_than_20() -> None:
    complex_ = set()
    for path in _modules():
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > MAX_COMPLEXITY:
                complex_.add(f"{path.relative_to(SRC)}:{block.name}")
    new = complex_ - COMPLEX_FUNCTIONS
    assert not new, f"cyclomatic complexity over {MAX_COMPLEXITY}: {sorted(new)}"
    done = COMPLEX_FUNCTIONS - complex_
    assert not done, f"now simple enough, unlist: {sorted(done)}"
