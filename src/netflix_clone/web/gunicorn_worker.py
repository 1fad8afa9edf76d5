"""gunicorn's gthread worker with a clean way out, requests read before a thread is given, and
problem+json for its own errors.

- **Requests arrive before a thread waits on them.** Stock gthread hands a connection to a
  thread as soon as one byte is readable; the thread then blocks until the client sends the
  rest, so 40 clients that send half a request and stall hold every thread (and `/healthz`
  goes unanswered). Here the event loop reads each request (headers and a body of up to
  BODY_BUFFER bytes, chunked or not) into memory first, and only a whole request reaches a
  thread. A request must arrive within REQUEST_READ_TIMEOUT seconds of its first byte, or
  the connection gets a 408 problem document and is closed; a connection that sends nothing
  is closed after the keep-alive timeout. A thread that must still read from the socket (a
  body above BODY_BUFFER, which the app refuses with 413) does so under a socket timeout.
- **Drain on the way out.** When a worker stops (worker recycling after `max_requests`, or
  SIGTERM during a rollout), stock gthread leaves its loop at once and drops the idle
  keep-alive connections it holds: a client (an ALB) that sends its next request on one of them
  gets a reset, a 502 at the load balancer. This worker stops accepting, then keeps serving what
  arrives on the connections it already has, each answer with `Connection: close`, until they
  are all closed or `DRAIN_SECONDS` pass, and only then exits.
- **Its own errors as problem documents.** A request line or headers gunicorn refuses (too
  long, malformed) never reach Flask; gunicorn answers them with an HTML page. Here they are
  `application/problem+json` like every other error: 400, 414 (request line too long) or 431.

Written against gunicorn 23's gthread worker, whose `run` loop this repeats with the drain added.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import selectors
import socket
import time
from concurrent import futures
from enum import Enum
from functools import partial
from typing import Any

from gunicorn.http import errors as http_errors
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker
from prometheus_client import Counter

from netflix_clone.web.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE

DRAIN_SECONDS = 5.0
# A request (its headers and body) must arrive within this many seconds of its first byte.
REQUEST_READ_TIMEOUT = float(os.environ.get("REQUEST_READ_TIMEOUT") or 10)
# Bodies up to this size are read whole before a thread is given (the app accepts 64 KiB by
# default; up to here it can answer 413 without waiting on the client).
BODY_BUFFER = 1024 * 1024
# A thread that still reads from the client (a body above BODY_BUFFER) waits at most this long
# per read.
SLOW_READ_SECONDS = 5.0
SLOW_CLIENTS = Counter(
    "http_slow_requests_total", "Connections closed (408) because a request arrived too slowly"
)


class Framing(Enum):
    INCOMPLETE = "incomplete"  # wait for more bytes
    COMPLETE = "complete"  # a whole request is in the buffer
    HAND_OFF = "hand off"  # not ours to judge (malformed, over a limit): gunicorn answers


def request_framing(data: bytes | bytearray, line_limit: int, header_limit: int) -> Framing:
    """Whether `data` holds a whole HTTP/1.1 request: the request line, the header section and
    the body its Content-Length or chunked Transfer-Encoding announces. Anything this does not
    fully understand is handed to gunicorn's parser, which refuses it on the bytes it has."""
    data = bytes(data).lstrip(b"\r\n")
    end_of_line = data.find(b"\n")
    if end_of_line < 0:
        return Framing.HAND_OFF if len(data) > line_limit + 2 else Framing.INCOMPLETE
    end = data.find(b"\r\n\r\n")
    if end < 0:
        if data.find(b"\n\n") >= 0:
            return Framing.HAND_OFF  # bare LF line ends: gunicorn decides
        return Framing.HAND_OFF if len(data) > header_limit else Framing.INCOMPLETE
    lengths: set[str] = set()
    codings: list[str] = []
    for line in data[end_of_line + 1 : end].split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if not colon:
            return Framing.HAND_OFF
        key = name.strip().lower()
        if key == b"content-length":
            lengths.add(value.strip().decode("latin-1"))
        elif key == b"transfer-encoding":
            codings += [c.strip().lower() for c in value.decode("latin-1").split(",")]
    body = data[end + 4 :]
    if codings:
        if lengths or codings[-1] != "chunked":
            return Framing.HAND_OFF
        return _chunked(body)
    if not lengths:
        return Framing.COMPLETE
    if len(lengths) > 1 or not next(iter(lengths)).isdigit():
        return Framing.HAND_OFF
    length = int(next(iter(lengths)))
    if length > BODY_BUFFER:
        return Framing.HAND_OFF
    return Framing.COMPLETE if len(body) >= length else Framing.INCOMPLETE


def _chunked(body: bytes) -> Framing:
    position = 0
    while True:
        line_end = body.find(b"\r\n", position)
        if line_end < 0:
            return Framing.HAND_OFF if len(body) - position > 1024 else Framing.INCOMPLETE
        size_text = body[position:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return Framing.HAND_OFF
        position = line_end + 2
        if size == 0:
            if body.startswith(b"\r\n", position) or body.find(b"\r\n\r\n", position) >= 0:
                return Framing.COMPLETE
            return Framing.INCOMPLETE
        if position + size > BODY_BUFFER:
            return Framing.HAND_OFF
        if len(body) < position + size + 2:
            return Framing.INCOMPLETE
        position += size + 2


def _expects_continue(data: bytes | bytearray) -> bool:
    head = bytes(data).split(b"\r\n\r\n", 1)[0].lower()
    return b"\r\nexpect:" in head and b"100-continue" in head


_CLIENT_ERRORS: tuple[tuple[type[Exception], int, str, str, str], ...] = (
    (
        http_errors.LimitRequestLine,
        414,
        "URI Too Long",
        "uri-too-long",
        "The request line (method, path and query) is longer than this service accepts.",
    ),
    (
        http_errors.LimitRequestHeaders,
        431,
        "Request Header Fields Too Large",
        "headers-too-large",
        "The request has too many or too large header fields.",
    ),
)


class DrainingThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no types
    """Selected in gunicorn_conf.py (``netflix_clone.web.gunicorn_worker.DrainingThreadWorker``)."""

    def run(self) -> None:
        for sock in self.sockets:
            sock.setblocking(False)
            server = sock.getsockname()
            acceptor = partial(self.accept, server)
            self.poller.register(sock, selectors.EVENT_READ, acceptor)

        while self.alive:
            self.notify()
            if self.nr_conns < self.worker_connections:
                for key, _ in self.poller.select(1.0):
                    key.data(key.fileobj)
                result = futures.wait(
                    self._futures(), timeout=0, return_when=futures.FIRST_COMPLETED
                )
            else:
                result = futures.wait(
                    self._futures(), timeout=1.0, return_when=futures.FIRST_COMPLETED
                )
            self._done(result.done)
            if not self.is_parent_alive():
                break
            self.murder_keepalived()

        self._drain()

        self.tpool.shutdown(False)
        self.poller.close()
        for s in self.sockets:
            s.close()
        futures.wait(self._futures(), timeout=self.cfg.graceful_timeout)

    # -- reading whole requests in the event loop ---------------------------------------------

    def init_process(self) -> None:
        # conn -> the monotonic time its current request (or, before its first byte, its
        # silence) must end by
        self._deadlines: dict[Any, float] = {}
        cfg = self.cfg
        self._line_limit = cfg.limit_request_line or 8190
        self._header_limit = (
            self._line_limit
            + (cfg.limit_request_fields or 32768) * (cfg.limit_request_field_size + 2)
            + 4
        )
        super().init_process()

    def accept(self, server: Any, listener: Any) -> None:
        try:
            sock, client = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = self._conn(sock, client, server)
        self.nr_conns += 1
        with self._lock:
            self._deadlines[conn] = time.monotonic() + self.cfg.keepalive
            self.poller.register(
                conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn)
            )

    def _conn(self, sock: Any, client: Any, server: Any) -> Any:
        from gunicorn.workers.gthread import TConn

        conn = TConn(self.cfg, sock, client, server)
        conn.pending = bytearray()
        conn.reading = False  # bytes of a request have arrived, not all of them yet
        conn.continued = False
        return conn

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # closed by the client (or broken): nothing to answer
            self._forget(conn)
            return
        conn.pending += data
        if not conn.reading:
            # No longer an idle keep-alive connection: a request's deadline runs now.
            conn.reading = True
            with self._lock:
                self._deadlines[conn] = time.monotonic() + REQUEST_READ_TIMEOUT
                with contextlib.suppress(ValueError):
                    self._keep.remove(conn)
        framing = request_framing(conn.pending, self._line_limit, self._header_limit)
        if framing is Framing.INCOMPLETE:
            if not conn.continued and _expects_continue(conn.pending):
                conn.continued = True  # the client waits for this before it sends the body
                with contextlib.suppress(OSError):
                    conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        with self._lock:
            self.poller.unregister(client)
            self._deadlines.pop(conn, None)
        self._hand_over(conn)

    def _hand_over(self, conn: Any) -> None:
        """Give a connection whose request is in memory to a thread."""
        conn.init()
        conn.parser.unreader.unread(bytes(conn.pending))
        conn.pending = bytearray()
        conn.reading = conn.continued = False
        conn.sock.settimeout(SLOW_READ_SECONDS)
        fs = self.tpool.submit(self.handle, conn)
        self._wrap_future(fs, conn)

    # A pipelined request is handed to a thread from finish_request, on a pool thread, while
    # the loop waits on the futures: the deque is only ever touched under the lock.
    def _wrap_future(self, fs: Any, conn: Any) -> None:
        fs.conn = conn
        with self._lock:
            self.futures.append(fs)
        fs.add_done_callback(self.finish_request)

    def _futures(self) -> list[Any]:
        with self._lock:
            return list(self.futures)

    def _done(self, finished: Any) -> None:
        with self._lock:
            for fut in finished:
                with contextlib.suppress(ValueError):
                    self.futures.remove(fut)

    def _forget(self, conn: Any) -> None:
        with self._lock:
            self._deadlines.pop(conn, None)
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.poller.unregister(conn.sock)
            with contextlib.suppress(ValueError):
                self._keep.remove(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_keepalived(self) -> None:
        super().murder_keepalived()
        now = time.monotonic()
        with self._lock:
            late = [conn for conn, deadline in self._deadlines.items() if deadline <= now]
        for conn in late:
            if conn.reading:
                SLOW_CLIENTS.inc()
                self.log.warning(
                    "request from ip=%s not received within %.0fs: 408",
                    (conn.client or ("",))[0],
                    REQUEST_READ_TIMEOUT,
                )
                _send_problem(
                    conn.sock,
                    408,
                    "Request Timeout",
                    "request-timeout",
                    "The request did not arrive in time; send it again.",
                )
            self._forget(conn)

    def handle(self, conn: Any) -> tuple[bool, Any]:
        keepalive, conn = super().handle(conn)
        if keepalive:
            keepalive = self._finish_body(conn)
        return keepalive, conn

    def _finish_body(self, conn: Any) -> bool:
        """Read what the app left of the request's body (it is in memory, or the connection is
        closed instead), and keep bytes the client already sent for its next request: the event
        loop then frames them like any other."""
        message = conn.parser.mesg
        reader = getattr(getattr(message, "body", None), "reader", None)
        left = getattr(reader, "length", 0) or 0
        if left > BODY_BUFFER:
            return False  # a huge body nobody wants: close rather than read it
        try:
            while message is not None and message.body.read(65536):
                pass
        except (OSError, http_errors.ParseException):
            return False
        unreader = conn.parser.unreader
        conn.pending = bytearray(unreader.buf.getvalue())
        unreader.buf = io.BytesIO()
        return True

    def _drain(self) -> None:
        """Serve what comes in on the connections we hold, idle keep-alive ones and freshly
        accepted ones alike (each answer closes its connection, since `alive` is now False);
        accept nothing new; close what is still silent at the end."""
        for sock in self.sockets:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.poller.unregister(sock)
        deadline = time.monotonic() + DRAIN_SECONDS
        # Until every connection is closed: not "no futures", since a finished request's
        # connection is handed back (finish_request, a done-callback) only after its future
        # already counts as done.
        while self.nr_conns > 0 and time.monotonic() < deadline:
            self.notify()
            for key, _ in self.poller.select(0.05):
                key.data(key.fileobj)
            done = futures.wait(self._futures(), timeout=0, return_when=futures.FIRST_COMPLETED)
            self._done(done.done)
        with self._lock:
            silent = self._waiting()
            self._keep.clear()
            for key in silent:
                with contextlib.suppress(KeyError, ValueError, OSError):
                    self.poller.unregister(key.fileobj)
        for key in silent:
            key.data.args[0].close()  # the TConn bound into on_client_socket_readable
            self.nr_conns -= 1

    def finish_request(self, fs: Any) -> None:
        """gthread closes a connection whose answer promised keep-alive when the worker began
        to stop during that answer: the client's next request then meets a closed socket. Keep
        every connection its answer kept open; the drain serves what comes next on it."""
        if fs.cancelled():
            self.nr_conns -= 1
            fs.conn.close()
            return
        try:
            keepalive, conn = fs.result()
            if not keepalive:
                self.nr_conns -= 1
                conn.close()
                return
            conn.sock.setblocking(False)
            conn.set_timeout()
            if conn.pending and self._framed(conn):
                self._hand_over(conn)  # the next request came with the last one (pipelined)
                return
            with self._lock:
                if conn.pending:  # part of the next request came with the last one
                    conn.reading = True
                    self._deadlines[conn] = time.monotonic() + REQUEST_READ_TIMEOUT
                else:
                    self._keep.append(conn)
                self.poller.register(
                    conn.sock,
                    selectors.EVENT_READ,
                    partial(self.on_client_socket_readable, conn),
                )
        except Exception:
            self.nr_conns -= 1
            fs.conn.close()

    def _framed(self, conn: Any) -> bool:
        framing = request_framing(conn.pending, self._line_limit, self._header_limit)
        return framing is not Framing.INCOMPLETE

    def _waiting(self) -> list[Any]:
        """Poller entries of client connections waiting for their next request."""
        with self._lock:
            return list(self.poller.get_map().values())

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        known = [e for e in _CLIENT_ERRORS if isinstance(exc, e[0])]
        if known:
            _, status, title, code, detail = known[0]
        elif isinstance(exc, http_errors.ParseException):
            status, title, code = 400, "Bad Request", "malformed-request"
            detail = "The request is not valid HTTP/1.1."
        else:
            super().handle_error(req, client, addr, exc)  # logs it, answers 500
            return
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        _send_problem(client, status, title, code, detail)


def _send_problem(sock: socket.socket, status: int, title: str, code: str, detail: str) -> None:
    """A problem document straight onto the socket, closing the exchange (no app involved)."""
    body = json.dumps(
        {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail}
    ).encode()
    head = (
        f"HTTP/1.1 {status} {title}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_CONTENT_TYPE}\r\nContent-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n"
    ).encode("latin-1")
    with contextlib.suppress(OSError):
        write_nonblock(sock, head + body)
