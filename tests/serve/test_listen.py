"""The desk's listening socket: its connections send small replies at once."""

from __future__ import annotations

import asyncio
import socket
import threading

from tocsin.commands.serve import _listen

HANG_TIMEOUT = 60  # seconds: catches a hang only


def test_connections_to_the_desk_have_nagle_off() -> None:
    """asyncio turns Nagle off only on sockets whose protocol says TCP; with it on, a small
    reply (summary.json, a decision's) waited 40 ms for the client's delayed ACK."""
    listening = _listen("127.0.0.1", 0)
    nodelay: list[int] = []

    async def main() -> None:
        seen = asyncio.Event()

        def accepted(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()
            seen.set()

        server = await asyncio.start_server(accepted, sock=listening)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", listening.getsockname()[1])
            await asyncio.wait_for(seen.wait(), HANG_TIMEOUT)
            writer.close()
            await writer.wait_closed()

    failed: list[BaseException] = []

    def run() -> None:  # a thread of its own: the suite may run an event loop in this one
        try:
            asyncio.run(main())
        except BaseException as exc:  # failed on below, in the test's thread
            failed.append(exc)

    thread = threading.Thread(target=run)
    try:
        thread.start()
        thread.join()
    finally:
        listening.close()
    assert failed == []
    assert nodelay[0] != 0
