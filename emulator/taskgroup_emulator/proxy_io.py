"""The two ends of the wire proxy, in HTTP/1.1 (h11): the client's keep-alive connection, and
one `Connection: close` connection to the app per request."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import AsyncIterator, Iterable, Optional, Tuple, Type, Union

import h11

from .wire_faults import Answer, Headers, WireRequest

READ_BYTES = 65536
IDLE_SECONDS = 5.0  # an idle keep-alive connection is closed after this (as uvicorn does)
FLUSH_SECONDS = 1.0  # a reset waits this long at most for the bytes written to leave

# Hop-by-hop headers (RFC 9110 section 7.6.1) are never relayed: each side frames anew.
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
_BAD_GATEWAY = b'{"type":"error","error":{"ref_id":"wire-proxy","message":"Bad gateway"}}'

Event = Union[h11.Event, Type[h11.NEED_DATA], Type[h11.PAUSED]]


class ClientGone(Exception):
    """The client closed or reset its connection, or left it idle too long."""


class AppCut(Exception):
    """The app's connection failed or ended before a whole answer (e.g. its own drop fault)."""


@dataclass(frozen=True)
class Incoming:
    """A request read whole from the client."""

    method: str
    target: bytes
    headers: Headers
    body: bytes

    @property
    def wire(self) -> WireRequest:
        path = self.target.split(b"?", 1)[0].decode("ascii", "replace")
        return WireRequest(self.method, path)


def end_to_end(headers: Iterable[Tuple[bytes, bytes]], *drop: bytes) -> Headers:
    """The headers to relay: all but the hop-by-hop ones (and `drop`)."""
    return [(n, v) for n, v in headers if n.lower() not in _HOP_BY_HOP and n.lower() not in drop]


def header(headers: Headers, name: bytes) -> Optional[bytes]:
    """The value of header `name` (lowercase), if present."""
    return next((v for n, v in headers if n.lower() == name), None)


class ClientSide:
    """The client's connection: requests in, answers out, one after another (keep-alive)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.conn = h11.Connection(h11.SERVER)

    async def _next(self, idle: bool = False) -> Event:
        while True:
            event = self.conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            try:
                read = self.reader.read(READ_BYTES)
                data = await (asyncio.wait_for(read, IDLE_SECONDS) if idle else read)
            except (asyncio.TimeoutError, ConnectionError) as exc:
                raise ClientGone() from exc
            self.conn.receive_data(data)

    async def request(self) -> Optional[Incoming]:
        """The next request, body and all; None once the client is done with the connection.

        Raises h11.RemoteProtocolError on a malformed request (see `refuse`).
        """
        try:
            event = await self._next(idle=True)
        except ClientGone:
            return None
        if not isinstance(event, h11.Request):
            return None  # ConnectionClosed
        if self.conn.they_are_waiting_for_100_continue:
            await self._send(h11.InformationalResponse(status_code=100, headers=[]))
        body = bytearray()
        while True:
            part = await self._next()
            if isinstance(part, h11.Data):
                body += part.data
            elif isinstance(part, h11.EndOfMessage):
                break
            else:
                raise ClientGone()
        method = event.method.decode("ascii")
        return Incoming(method, bytes(event.target), list(event.headers), bytes(body))

    async def _send(self, *events: h11.Event) -> None:
        if self.writer.is_closing():
            raise ClientGone()
        data = b"".join(self.conn.send(event) or b"" for event in events)
        try:
            self.writer.write(data)
            await self.writer.drain()
        except ConnectionError as exc:
            raise ClientGone() from exc

    @property
    def head_sent(self) -> bool:
        """Whether the head of the current answer is out."""
        return self.conn.our_state is not h11.SEND_RESPONSE

    async def head(self, status: int, headers: Headers, reason: bytes = b"") -> None:
        await self._send(h11.Response(status_code=status, headers=headers, reason=reason))

    async def data(self, data: bytes) -> None:
        if data:
            await self._send(h11.Data(data=data))

    async def end(self) -> None:
        await self._send(h11.EndOfMessage())

    async def answer(self, answer: Answer) -> None:
        """A whole answer."""
        reason = answer.reason or HTTPStatus(answer.status).phrase.encode("ascii")
        await self._send(
            h11.Response(status_code=answer.status, headers=answer.headers, reason=reason),
            h11.Data(data=answer.body),
            h11.EndOfMessage(),
        )

    async def bad_gateway(self) -> None:
        """502 when the app could not be asked (only before an answer's head is out)."""
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_BAD_GATEWAY)).encode("ascii")),
            (b"connection", b"close"),
        ]
        with contextlib.suppress(ClientGone, h11.LocalProtocolError):
            await self.answer(Answer(502, headers, _BAD_GATEWAY, close=True))

    async def refuse(self) -> None:
        """400 after a malformed request, when nothing was answered yet."""
        body = b"Bad request\n"
        headers = [
            (b"content-type", b"text/plain"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"connection", b"close"),
        ]
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            with contextlib.suppress(ClientGone, h11.LocalProtocolError):
                await self.answer(Answer(400, headers, body, close=True))

    async def reset(self) -> None:
        """Drop the connection with a TCP RST (SO_LINGER 0) once what was written has left."""
        transport = self.writer.transport
        deadline = time.monotonic() + FLUSH_SECONDS
        while transport.get_write_buffer_size() and time.monotonic() < deadline:
            if transport.is_closing():
                break
            await asyncio.sleep(0.005)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    def close(self) -> None:
        """Close the connection (FIN); an unfinished answer stays unfinished."""
        self.writer.close()

    def next_cycle(self) -> bool:
        """Ready for the client's next request on this connection (keep-alive)?"""
        if self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE:
            self.conn.start_next_cycle()
            return True
        return False

    async def wait_gone(self) -> None:
        """Return once the client has closed its side (what it sends meanwhile is kept)."""
        while True:
            try:
                data = await self.reader.read(READ_BYTES)
            except ConnectionError:
                return
            if not data:
                return
            self.conn.receive_data(data)


class AppSide:
    """One connection to the app, for one request."""

    def __init__(self, address: Tuple[str, int]) -> None:
        self.address = address
        self.conn = h11.Connection(h11.CLIENT)
        self.reader: Optional[asyncio.StreamReader] = None
        self.writer: Optional[asyncio.StreamWriter] = None

    async def ask(self, request: Incoming) -> h11.Response:
        """Send `request` whole; the head of the app's answer."""
        headers = end_to_end(request.headers, b"content-length", b"expect")
        if header(headers, b"host") is None:
            headers.append((b"host", f"{self.address[0]}:{self.address[1]}".encode("ascii")))
        if request.body or request.method in ("POST", "PUT", "PATCH"):
            headers.append((b"content-length", str(len(request.body)).encode("ascii")))
        headers.append((b"connection", b"close"))
        events = [
            h11.Request(method=request.method, target=request.target, headers=headers),
            h11.Data(data=request.body),
            h11.EndOfMessage(),
        ]
        try:
            self.reader, self.writer = await asyncio.open_connection(*self.address)
            self.writer.write(b"".join(self.conn.send(e) or b"" for e in events))
            await self.writer.drain()
        except OSError as exc:
            raise AppCut() from exc
        while True:
            event = await self._next()
            if isinstance(event, h11.Response):
                return event
            if not isinstance(event, h11.InformationalResponse):
                raise AppCut()

    async def _next(self) -> Event:
        assert self.reader is not None
        while True:
            try:
                event = self.conn.next_event()
                if event is not h11.NEED_DATA:
                    return event
                self.conn.receive_data(await self.reader.read(READ_BYTES))
            except (h11.RemoteProtocolError, ConnectionError) as exc:
                raise AppCut() from exc

    async def chunks(self) -> AsyncIterator[bytes]:
        """The answer's body as it arrives; AppCut if it ends early."""
        while True:
            event = await self._next()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return
            else:
                raise AppCut()

    async def body(self) -> bytes:
        """The answer's whole body."""
        return b"".join([chunk async for chunk in self.chunks()])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
