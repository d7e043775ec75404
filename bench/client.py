"""The benchmark's HTTP client: one keep-alive HTTP/1.1 connection on a plain socket.

Why not http.client: it builds each request header by header, reads the answer through a
buffered file, parses the headers with the email package and reads a chunked body line by
line. On the 2-core machine of the README's run that cost 0.06 ms per request against a
socket server answering fixed bytes, and 0.2 ms against gfmd-kg (larger, chunked
answers), and it was counted in every server's latency. Load generators such as wrk and oha
are written in C and Rust for this reason. This one sends prebuilt request bytes and reads
the answer by its Content-Length, its chunks, or to the end of the connection, and does
nothing else, so that what a latency shows is the server.
"""

from __future__ import annotations

import socket

READ = 1 << 16


def request_bytes(host: str, port: int, target: str, accept: str) -> bytes:
    """A GET request for ``target`` (path and query, already percent-encoded)."""
    return (f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: {accept}\r\n"
            "User-Agent: gfmd-kg-bench\r\n\r\n").encode("ascii")


class ProtocolError(Exception):
    """The server's answer was not HTTP/1.1 this client can read."""


class Connection:
    """One connection; ``exchange`` sends a request and reads its whole answer."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.open = True

    def _fill(self) -> None:
        data = self.sock.recv(READ)
        if not data:
            self.open = False
            raise ProtocolError("the server closed the connection")
        self.buffer += data

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._fill()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            self._fill()
        line, self.buffer = self.buffer[:end], self.buffer[end + 2:]
        return line

    def exchange(self, request: bytes) -> tuple[int, int]:
        """Send ``request``; return the answer's status and body length in bytes."""
        if not self.open:
            raise ProtocolError("the connection is closed")
        self.sock.sendall(request)
        while True:
            while (end := self.buffer.find(b"\r\n\r\n")) < 0:
                self._fill()
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            status_line, *fields = head.split(b"\r\n")
            parts = status_line.split(b" ", 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
                self.open = False
                raise ProtocolError(f"not an HTTP status line: {status_line[:80]!r}")
            status = int(parts[1])
            if status >= 200:
                break  # a 1xx answer is followed by the real one
        length: int | None = None
        chunked = close = False
        for field in fields:
            name, _, value = field.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            length = 0
            while size := int(self._line().split(b";", 1)[0], 16):
                self._take(size + 2)
                length += size
            while self._line():  # trailers, then the empty line
                pass
        elif length is not None:
            self._take(length)
        else:  # no length: the body runs to the end of the connection
            close = True
            length = len(self.buffer)
            while data := self.sock.recv(READ):
                length += len(data)
            self.buffer = b""
        if close:
            self.close()
        return status, length

    def close(self) -> None:
        self.open = False
        self.sock.close()
