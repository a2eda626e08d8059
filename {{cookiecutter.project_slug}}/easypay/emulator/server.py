"""The standalone emulator server: a threaded WSGI server that serves only the emulator.

Used by `manage.py easypay_emulator` and by the `easypay_emulator` pytest fixture. It is
Django's own development server classes with three changes: every request is routed to
root_urls (request.urlconf) and carries the Emulator instance, a response flagged "drop"
(fault drop_after_commit) is never written — the socket is closed instead — and Nagle's
algorithm is off, so a client that keeps its connection is answered as fast as a new one.
"""

import contextlib
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers import basehttp

from .engine import TEST_MALLS, Emulator
from .views import DROP

URLCONF = "easypay.emulator.root_urls"


class EmulatorWSGIHandler(WSGIHandler):
    def __init__(self, emulator: Emulator):
        super().__init__()
        self.emulator = emulator

    def get_response(self, request):
        request.urlconf = URLCONF
        request.easypay_emulator = self.emulator
        return super().get_response(request)


class _ServerHandler(basehttp.ServerHandler):
    def finish_response(self):
        if not self.environ.get(DROP):
            return super().finish_response()
        try:
            if hasattr(self.result, "close"):
                self.result.close()  # Django's request_finished, as after a normal answer
        finally:
            self.request_handler.close_connection = True
            with contextlib.suppress(OSError):
                self.request_handler.connection.shutdown(socket.SHUT_RDWR)


class _RequestHandler(basehttp.WSGIRequestHandler):
    # TCP_NODELAY (socketserver sets it in setup()): an answer leaves in two writes, headers
    # then body, and with Nagle's algorithm the body waited for the client's delayed ACK of
    # the headers — about 40 ms on every request of a kept-alive connection.
    disable_nagle_algorithm = True

    def get_environ(self):
        environ = super().get_environ()
        environ["easypay.emulator.server"] = True
        return environ

    def handle_one_request(self):
        # Django's handle_one_request, with our ServerHandler.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ())
        handler.request_handler = self
        handler.run(self.server.get_app())


class EmulatorServer:
    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0):
        self.emulator = emulator
        self.httpd = basehttp.ThreadedWSGIServer((host, port), _RequestHandler)
        self.httpd.daemon_threads = True
        self.httpd.set_app(EmulatorWSGIHandler(emulator))
        # An AF_INET(6) server's address: (host, port, ...), the host a str.
        self.host, self.port = cast(tuple[str, int], self.httpd.server_address[:2])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> "EmulatorServer":
        self._thread = threading.Thread(
            target=self.serve_forever, name="easypay-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def temporary_emulator(
    *, retry_seconds: float = 1.0, max_retries: int = 0, timeout: float = 1.0
) -> Iterator[EmulatorServer]:
    """A throw-away emulator for the shared test mall, served on a free local port: its own
    SQLite file in a temporary folder, gone afterwards. For the test fixture, benchmarks and
    scripts; `server.emulator` is the in-process control, `server.url` the API base URL."""
    with tempfile.TemporaryDirectory(prefix="easypay-emulator-") as folder:
        emulator = Emulator(
            Path(folder) / "emulator.sqlite3",
            TEST_MALLS,
            {
                "url": "",
                "retry_seconds": retry_seconds,
                "max_retries": max_retries,
                "timeout": timeout,
            },
        )
        server = EmulatorServer(emulator).start()
        try:
            yield server
        finally:
            emulator.reset()  # stops pending noti retries
            server.stop()
            emulator.close()
