"""A desk served by uvicorn in a background thread, on a free loopback port: for the
browser tests, the speed benchmark and the screenshots of the docs."""

from __future__ import annotations

import threading
import time

import uvicorn

from tocsin.serve.app import Settings, create_app

START_DEADLINE = 20.0  # seconds for uvicorn to bind; it takes milliseconds


class BackgroundDesk:
    """``BackgroundDesk(settings)`` serves at once; ``url`` is where; ``stop()`` ends it.
    Also a context manager."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1") -> None:
        app = create_app(settings)
        config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="tocsin-desk", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + START_DEADLINE
        while not self.server.started and self.thread.is_alive():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the desk did not start within {START_DEADLINE:.0f} s")
            time.sleep(0.02)
        if not self.server.started:
            raise RuntimeError("the desk stopped while starting (see the log above)")
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> BackgroundDesk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
