"""Install pip into a venv made with --without-pip, using only PyPI and the standard library.

Debian's python3 lacks ensurepip unless python3-venv is installed; a pip wheel is itself
runnable (``python pip.whl/pip``), so we fetch the newest one from PyPI and let it install itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

INDEX = "https://pypi.org/pypi/pip/json"


def main() -> int:
    with urllib.request.urlopen(INDEX, timeout=60) as response:
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        # Mirrors and proxies may answer with a URL relative to the index.
        url = urllib.parse.urljoin(INDEX, wheel["url"])
        with urllib.request.urlopen(url, timeout=120) as response:
            path.write_bytes(response.read())
        return subprocess.call([sys.executable, f"{path}/pip", "install", "--quiet", str(path)])


if __name__ == "__main__":
    sys.exit(main())
