"""The app under gunicorn with the production config, for attacks that only a real server
meets (memory, slow clients, the metrics listener, gunicorn's own refusals)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.faults.servers import App, running_app


@contextlib.contextmanager
def served(tmp_path: Path, **env: str) -> Iterator[App]:
    defaults = {"WEB_CONCURRENCY": "2", "CATALOG_SOURCE": "demo"}
    with running_app({**defaults, **env}, tmp_path) as app:
        yield app


def raw_exchange(app: App, data: bytes, timeout: float = 10.0, head: bool = False) -> bytes:
    """Send raw bytes, read one full response (or what came before the server closed)."""
    host, port = app.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data)
        return Responses(sock).next(head=head)


class Responses:
    """Responses read one at a time from a socket (pipelined ones may share a packet)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""

    def _fill(self) -> bool:
        chunk = self._sock.recv(65536)
        self._buffer += chunk
        return bool(chunk)

    def next(self, head: bool = False) -> bytes:
        """The next response: its head, and (unless it answers a HEAD) the body its
        Content-Length announces. Empty when the server closed without one."""
        while b"\r\n\r\n" not in self._buffer:
            if not self._fill():
                found, self._buffer = self._buffer, b""
                return found
        top, _, rest = self._buffer.partition(b"\r\n\r\n")
        length = 0 if head else (_content_length(top) or 0)
        while len(rest) < length:
            if not self._fill():
                break
            top, _, rest = self._buffer.partition(b"\r\n\r\n")
        self._buffer = rest[length:]
        return top + b"\r\n\r\n" + rest[:length]


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return None


def status_and_type(response: bytes) -> tuple[int, str]:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers: Mapping[str, str] = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    return status, headers.get("content-type", "")
