"""A server-sent-events response that can also cut its connection mid-event on purpose."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Callable, Union

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


class Abort:
    """Yielded by a stream body: send `partial` (e.g. half an event), then drop the connection."""

    def __init__(self, partial: str) -> None:
        self.partial = partial


Chunk = Union[str, Abort]
Body = Callable[[asyncio.Event], AsyncIterator[Chunk]]

_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


CLOSING_POLL_SECONDS = 0.1


class SSEResponse:
    """Streams the chunks of `body(stopped)`; `stopped` is set when the client goes away or
    `closing()` says the server is shutting down (the stream then ends well before the
    server's graceful-shutdown timeout would cancel it)."""

    def __init__(self, body: Body, closing: Callable[[], bool] = lambda: False) -> None:
        self.body = body
        self.closing = closing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stopped = asyncio.Event()

        async def watch() -> None:
            while True:
                message: Any = await receive()
                if message["type"] == "http.disconnect":
                    stopped.set()
                    return

        async def watch_closing() -> None:
            while not self.closing():
                await asyncio.sleep(CLOSING_POLL_SECONDS)
            stopped.set()

        watcher = asyncio.ensure_future(watch())
        closer = asyncio.ensure_future(watch_closing())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
            async for chunk in self.body(stopped):
                if stopped.is_set():
                    return
                if isinstance(chunk, Abort):
                    if chunk.partial:
                        await send(
                            {
                                "type": "http.response.body",
                                "body": chunk.partial.encode("utf-8"),
                                "more_body": True,
                            }
                        )
                    # Returning without the final body message makes the server close the
                    # connection abruptly: the client sees a truncated chunked stream.
                    return
                if chunk:
                    await send(
                        {
                            "type": "http.response.body",
                            "body": chunk.encode("utf-8"),
                            "more_body": True,
                        }
                    )
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            return
        finally:
            watcher.cancel()
            closer.cancel()


# What a route handler answers, and a route handler.
Reply = Union[Response, SSEResponse]
Handler = Callable[[Request], Awaitable[Reply]]
