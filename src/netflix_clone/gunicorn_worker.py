"""gunicorn's gthread worker with a clean way out and problem+json for its own errors.

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
import json
import selectors
import time
from concurrent import futures
from functools import partial
from typing import Any

from gunicorn.http import errors as http_errors
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker

from netflix_clone.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE

DRAIN_SECONDS = 5.0

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
    """Selected in gunicorn_conf.py as ``netflix_clone.gunicorn_worker.DrainingThreadWorker``."""

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
                result = futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED)
            else:
                result = futures.wait(
                    self.futures, timeout=1.0, return_when=futures.FIRST_COMPLETED
                )
            for fut in result.done:
                self.futures.remove(fut)
            if not self.is_parent_alive():
                break
            self.murder_keepalived()

        self._drain()

        self.tpool.shutdown(False)
        self.poller.close()
        for s in self.sockets:
            s.close()
        futures.wait(self.futures, timeout=self.cfg.graceful_timeout)

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
            done = futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED)
            for fut in done.done:
                self.futures.remove(fut)
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
            with self._lock:
                self._keep.append(conn)
                self.poller.register(
                    conn.sock,
                    selectors.EVENT_READ,
                    partial(self.on_client_socket_readable, conn),
                )
        except Exception:
            self.nr_conns -= 1
            fs.conn.close()

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
        body = json.dumps(
            {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail}
        ).encode()
        head = (
            f"HTTP/1.1 {status} {title}\r\nConnection: close\r\n"
            f"Content-Type: {PROBLEM_CONTENT_TYPE}\r\nContent-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n"
        ).encode("latin-1")
        try:
            write_nonblock(client, head + body)
        except OSError:
            self.log.debug("Failed to send error message.")
