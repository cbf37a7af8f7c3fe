"""A lean WebSocket client for the load generator: an asyncio protocol with its own framing.

A full client library parses, validates and queues every frame through several coroutines,
which at 10-25k frames/s makes the load client, not the server, the bottleneck on this
two-core machine. This one does the handshake, unmasked server frames, masked client text
frames, ping/pong and close, and hands each text frame's bytes and arrival time to a callback.
It is for benchmarks only (loopback, trusted server).
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable

OnText = Callable[[bytes, float], None]


class LeanSocket(asyncio.Protocol):
    def __init__(self, on_text: OnText) -> None:
        self.on_text = on_text
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.handshaken = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.fragments = bytearray()
        self.received = 0

    # -- asyncio.Protocol --------------------------------------------------------------------
    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        if not self.handshaken.done():
            self.handshaken.set_exception(ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer
        buffer += data
        if not self.handshaken.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            if not head.startswith(b"HTTP/1.1 101"):
                self.handshaken.set_exception(ConnectionError(head.split(b"\r\n", 1)[0].decode()))
                return
            self.handshaken.set_result(None)
        offset = 0
        size = len(buffer)
        while size - offset >= 2:
            first, second = buffer[offset], buffer[offset + 1]
            length = second & 0x7F
            header = 2
            if length == 126:
                if size - offset < 4:
                    break
                (length,) = struct.unpack_from("!H", buffer, offset + 2)
                header = 4
            elif length == 127:
                if size - offset < 10:
                    break
                (length,) = struct.unpack_from("!Q", buffer, offset + 2)
                header = 10
            if size - offset < header + length:
                break
            payload = bytes(buffer[offset + header : offset + header + length])
            offset += header + length
            self._frame(first & 0x80, first & 0x0F, payload, now)
        if offset:
            del buffer[:offset]

    def _frame(self, fin: int, opcode: int, payload: bytes, now: float) -> None:
        if opcode in (0x1, 0x2, 0x0):
            if not fin:
                self.fragments += payload
                return
            if self.fragments:
                payload = bytes(self.fragments) + payload
                self.fragments.clear()
            self.received += 1
            self.on_text(payload, now)
        elif opcode == 0x9:
            self._write(0xA, payload)
        elif opcode == 0x8:
            self._write(0x8, payload[:2])
            if self.transport is not None:
                self.transport.close()

    # -- sending -------------------------------------------------------------------------------
    def _write(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        key = int.from_bytes((mask * (length // 4 + 1))[:length], "big")
        masked = (int.from_bytes(payload, "big") ^ key).to_bytes(length, "big")
        self.transport.write(header + mask + masked)

    def send_text(self, text: str) -> None:
        self._write(0x1, text.encode())

    def close(self) -> None:
        self._write(0x8, struct.pack("!H", 1000))
        if self.transport is not None:
            self.transport.close()


async def connect(host: str, port: int, *, cookie: str, origin: str, on_text: OnText) -> LeanSocket:
    """Open /ws/ with a session cookie; returns once the server accepted the upgrade."""
    loop = asyncio.get_running_loop()
    _transport, socket = await loop.create_connection(lambda: LeanSocket(on_text), host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws/ HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\nCookie: {cookie}\r\n\r\n"
    )
    socket.transport.write(request.encode())
    await asyncio.wait_for(socket.handshaken, 30)
    return socket
