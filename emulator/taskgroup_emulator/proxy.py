"""The wire-fault proxy of `--wire-faults`: HTTP/1.1 on the public port, in front of the app.

It reads each request whole, asks `wire_faults.choose` for a fault, then answers by itself,
drops the connection, or forwards the request to the app (uvicorn on an internal loopback
port, same process and event loop, one connection per request) and relays the answer as it
comes: SSE events are flushed as they arrive, nothing is buffered unless the fault needs the
whole body. Without a fault (and always on /_emulator/ routes) it only relays.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any, Awaitable, Callable, Coroutine, Optional, Set, Tuple

import h11

from .faults import FaultState
from .proxy_io import AppCut, AppSide, ClientGone, ClientSide, Incoming, end_to_end, header
from .wire_faults import (
    SSE_KEEP_EVENTS,
    Answer,
    SlowPacer,
    StreamCut,
    canned_answer,
    choose,
    cut_point,
    is_json,
    truncate_json,
)

log = logging.getLogger("taskgroup_emulator")

# Relays the app's answer (head read) to the client, shaped by a fault; False ends the
# client's connection.
Shape = Callable[[ClientSide, AppSide, h11.Response], Awaitable[bool]]

ANSWERED_BY_PROXY = ("status_408", "status_5xx_html", "status_429")


class WireProxy:
    """Accepts clients on the public socket and relays to the app at `app_address`."""

    def __init__(self, faults: FaultState, app_address: Tuple[str, int]) -> None:
        self.faults = faults
        self.app_address = app_address
        self._server: Optional[asyncio.AbstractServer] = None
        self._tasks: Set[asyncio.Task[Any]] = set()  # client connections, late POSTs

    async def start(self, sock: socket.socket) -> None:
        """Serve on `sock` (bound already); returns once it accepts connections."""
        self._server = await asyncio.start_server(self._connection, sock=sock)

    async def stop(self) -> None:
        """Stop accepting and drop every connection, held request and late request."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        client = ClientSide(reader, writer)
        try:
            while True:
                request = await client.request()
                if request is None or not await self._serve(client, request):
                    return
                if not client.next_cycle():
                    return
        except h11.RemoteProtocolError:
            await client.refuse()
        except ClientGone:
            pass
        except asyncio.CancelledError:
            # Shutdown. Ending normally spares 3.11's asyncio.streams a bogus error log
            # (it calls exception() on a cancelled client_connected_cb task).
            pass
        except Exception:
            log.exception("wire proxy: connection failed")
        finally:
            client.close()
            if task is not None:
                self._tasks.discard(task)

    async def _serve(self, client: ClientSide, request: Incoming) -> bool:
        """Answer one request, with its wire fault if it draws one."""
        kind = choose(self.faults, request.wire)
        settings = self.faults.faults
        if kind in ANSWERED_BY_PROXY:
            answer = canned_answer(kind, self.faults.wire_rng)
            self.faults.count_wire(kind)
            await client.answer(answer)
            return not answer.close
        if kind in ("reset_before", "late_post"):
            self.faults.count_wire(kind)
            await client.reset()
            if kind == "late_post":
                self._spawn(self._land_late(request, settings.wire_late_seconds))
            return False
        if kind == "hold_post":
            self.faults.count_wire(kind)
            await asyncio.sleep(settings.wire_hold_seconds)
        shapes = {
            "reset_after": self._reset_after,
            "cut_body": self._cut_body,
            "truncate_json": self._truncate_json,
            "slow_body": self._slow_body,
        }
        return await self._forward(client, request, shapes.get(kind or "", self._relay))

    async def _forward(self, client: ClientSide, request: Incoming, shape: Shape) -> bool:
        """Ask the app and relay its answer through `shape`.

        A POST read whole always reaches the app, even when its client goes away meanwhile
        (it may be held); other requests are given up when their client goes (so the app
        sees the disconnect, as without the proxy).
        """
        app = AppSide(self.app_address)

        async def answer(head: Optional[h11.Response]) -> bool:
            return await shape(client, app, head if head is not None else await app.ask(request))

        try:
            head = await app.ask(request) if request.method == "POST" else None
            return await _unless_gone(client, answer(head))
        except AppCut:
            if client.head_sent:
                client.close()  # the app cut its answer short: so does the proxy
            else:
                await client.bad_gateway()
            return False
        finally:
            app.close()

    async def _land_late(self, request: Incoming, delay: float) -> None:
        """`late_post`: the request reaches the app `delay` s after its client was reset."""
        await asyncio.sleep(delay)
        app = AppSide(self.app_address)
        try:
            await app.ask(request)
            await app.body()
        except AppCut:
            log.warning("wire proxy: a late POST could not reach the app")
        finally:
            app.close()

    # -- shapes of the app's answer -----------------------------------------------------

    async def _relay(self, client: ClientSide, app: AppSide, head: h11.Response) -> bool:
        """The answer as it comes, chunk by chunk."""
        await client.head(head.status_code, end_to_end(head.headers), head.reason)
        async for chunk in app.chunks():
            await client.data(chunk)
        await client.end()
        return True

    async def _reset_after(self, client: ClientSide, app: AppSide, head: h11.Response) -> bool:
        """The app answers in full; the client gets a reset instead."""
        await app.body()
        self.faults.count_wire("reset_after")
        await client.reset()
        return False

    async def _truncate_json(self, client: ClientSide, app: AppSide, head: h11.Response) -> bool:
        """A 2xx JSON answer, well framed, with about half its JSON (others go untouched)."""
        body = await app.body()
        headers = end_to_end(head.headers)
        if 200 <= head.status_code < 300 and is_json(headers):
            body = truncate_json(body)
            headers = end_to_end(headers, b"content-length")
            headers.append((b"content-length", str(len(body)).encode("ascii")))
            self.faults.count_wire("truncate_json")
        await client.answer(Answer(head.status_code, headers, body, reason=head.reason))
        return True

    async def _cut_body(self, client: ClientSide, app: AppSide, head: h11.Response) -> bool:
        """Head and part of the body, cut mid-line (mid-character in UTF-8), then a reset.

        A stream is cut inside an event, after a few whole ones.
        """
        headers = end_to_end(head.headers)
        await client.head(head.status_code, headers, head.reason)
        content_type = header(headers, b"content-type") or b""
        if content_type.startswith(b"text/event-stream"):
            cut = StreamCut(self.faults.wire_rng.choice(SSE_KEEP_EVENTS))
            last: Optional[bytes] = None
            async for chunk in app.chunks():
                now, last = cut.feed(chunk)
                await client.data(now)
                if last is not None:
                    break
            await client.data(cut.end() if last is None else last)
        else:
            body = await app.body()
            await client.data(body[: cut_point(body)])
        self.faults.count_wire("cut_body")
        await client.reset()
        return False

    async def _slow_body(self, client: ClientSide, app: AppSide, head: h11.Response) -> bool:
        """The whole answer, in small pieces with pauses (about a second more in all)."""
        headers = end_to_end(head.headers)
        length = header(headers, b"content-length")
        pacer = SlowPacer(int(length) if length is not None else None)
        self.faults.count_wire("slow_body")
        await client.head(head.status_code, headers, head.reason)
        async for chunk in app.chunks():
            for pause, piece in pacer.pieces(chunk):
                if pause > 0:
                    await asyncio.sleep(pause)
                await client.data(piece)
        await client.end()
        return True


async def _unless_gone(client: ClientSide, work: Coroutine[Any, Any, bool]) -> bool:
    """Run `work`; if the client goes away first, stop it (False: end the connection)."""
    job = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(client.wait_gone())
    try:
        await asyncio.wait({job, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (job, gone):
            task.cancel()
        await asyncio.wait({job, gone})  # unwound before the connection reads again
    return False if job.cancelled() else job.result()
