"""The core of the fake network servers: real HTTP on 127.0.0.1, one thread per request.

A fake runs in the test process (a daemon thread) and is reached over HTTP by its ``base_url`` – by
the adapters in the test process and by Celery workers in other processes alike (configure
``Channel.base_url``). Everything it saw is in ``requests`` and everything it created in ``created``
(both readable from the test, thread-safe). Failures are programmed per request:

    fake.fail(500)                           # the next request (any path) answers 500
    fake.fail(401, path=r"/statuses$")        # the next request to a matching path answers 401
    fake.rate_limit(reset_in=30)              # 429 with the network's reset header
    fake.slow(2.0, path=r"/statuses$")        # carries out the request, then waits 2 s before answering
    fake.stop(); ...; fake.start()            # refused connections in between (same port afterwards)

Each network's fake (``tests/fakes/<network>.py``) adds its routes, its error bodies and its rate-limit
headers.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: object = None
    form: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, dict] = field(default_factory=dict)  # name -> {"filename", "content_type", "data"}

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def value(self, name: str, default=None):
        """A parameter from the JSON body, the form or the query string (first value)."""
        if isinstance(self.json, dict) and name in self.json:
            return self.json[name]
        for source in (self.form, self.query):
            if name in source:
                return source[name][0]
        return default

    def values(self, name: str) -> list[str]:
        found = []
        for source in (self.form, self.query):
            found += source.get(name, []) + source.get(f"{name}[]", [])
        return found


@dataclass
class Response:
    status: int = 200
    body: object = None  # dict/list → JSON; bytes/str → as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Program:
    """One programmed deviation for the next matching request(s)."""

    status: int | None = None  # answer with this status instead of carrying the request out
    delay: float = 0.0  # carry the request out, then wait before answering (client read timeout)
    headers: dict[str, str] = field(default_factory=dict)
    body: object = None
    path: str | None = None  # regex searched in the path
    method: str | None = None
    times: int = 1
    close: bool = False  # drop the connection without an answer

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or re.search(self.path, path) is not None
        )


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, list[str]], dict[str, dict]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    form: dict[str, list[str]] = {}
    files: dict[str, dict] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = {"filename": filename, "content_type": part.get_content_type(), "data": data}
        else:
            form.setdefault(name, []).append(data.decode("utf-8"))
    return form, files


class FakeServer:
    """Subclasses add routes with :meth:`route` in ``setup_routes`` and override the error formats."""

    name = "fake"

    def __init__(self, port: int = 0):
        self.port = port
        self.lock = threading.RLock()
        self.requests: list[RecordedRequest] = []
        self.created: list[dict] = []
        self.programs: list[Program] = []
        self.routes: list[tuple[str, re.Pattern, callable]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = 1000
        self.setup_routes()
        self.setup_action_routes()

    # --- life cycle ----------------------------------------------------------------------------------

    def start(self) -> FakeServer:
        if self._server is not None:
            return self
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def handle_any(self):
                fake._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"{self.name}-fake", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start` (same port)."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.created.clear()
            self.programs.clear()

    # --- programming ---------------------------------------------------------------------------------

    def program(self, **kwargs) -> Program:
        program = Program(**kwargs)
        with self.lock:
            self.programs.append(program)
        return program

    def fail(self, status: int, *, path=None, method=None, times=1, message="", headers=None) -> Program:
        return self.program(
            status=status,
            path=path,
            method=method,
            times=times,
            headers=dict(headers or {}),
            body=self.error_body(status, message or f"programmed failure {status}"),
        )

    def rate_limit(self, *, reset_in: float = 60, path=None, method=None, times=1) -> Program:
        reset_at = time.time() + reset_in
        status, headers, body = self.rate_limit_answer(reset_at)
        return self.program(status=status, headers=headers, body=body, path=path, method=method, times=times)

    def unauthorized(self, *, path=None, method=None, times=1) -> Program:
        status, body = self.unauthorized_answer()
        return self.program(status=status, body=body, path=path, method=method, times=times)

    def slow(self, seconds: float, *, path=None, method=None, times=1) -> Program:
        return self.program(delay=seconds, path=path, method=method, times=times)

    def drop_connection(self, *, path=None, method=None, times=1) -> Program:
        return self.program(close=True, path=path, method=method, times=times)

    # --- what the network's fake overrides -----------------------------------------------------------

    def setup_routes(self) -> None:
        pass

    def error_body(self, status: int, message: str) -> object:
        return {"error": message}

    def rate_limit_answer(self, reset_at: float) -> tuple[int, dict, object]:
        return (
            429,
            {"Retry-After": str(max(0, int(reset_at - time.time())))},
            self.error_body(429, "Too Many Requests"),
        )

    def unauthorized_answer(self) -> tuple[int, object]:
        return 401, self.error_body(401, "The access token is invalid")

    # --- helpers for routes ------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler) -> None:
        self.routes.append((method, re.compile(pattern + r"/?$"), handler))

    def next_id(self) -> str:
        with self.lock:
            self._ids += 1
            return str(self._ids)

    def record_created(self, item: dict) -> None:
        with self.lock:
            self.created.append(item)

    @property
    def created_count(self) -> int:
        with self.lock:
            return len(self.created)

    def requests_to(self, pattern: str, method: str | None = None) -> list[RecordedRequest]:
        with self.lock:
            return [
                r
                for r in self.requests
                if re.search(pattern, r.path) and (method is None or r.method == method)
            ]

    # --- the request cycle -------------------------------------------------------------------------

    def _take_program(self, method: str, path: str) -> Program | None:
        with self.lock:
            for program in self.programs:
                if program.times > 0 and program.matches(method, path):
                    program.times -= 1
                    if program.times == 0:
                        self.programs.remove(program)
                    return program
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = RecordedRequest(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=body,
        )
        content_type = headers.get("content-type", "")
        try:
            if "application/json" in content_type and body:
                request.json = json.loads(body)
            elif "application/x-www-form-urlencoded" in content_type:
                request.form = parse_qs(body.decode(), keep_blank_values=True)
            elif "multipart/form-data" in content_type:
                request.form, request.files = parse_multipart(content_type, body)
        except ValueError:
            pass
        with self.lock:
            self.requests.append(request)

        program = self._take_program(request.method, request.path)
        if program is not None and program.close:
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        if program is not None and program.status is not None:
            response = Response(program.status, program.body, dict(program.headers))
        else:
            response = self._dispatch(request)
            if program is not None and program.delay:
                time.sleep(program.delay)  # the work is done; the answer comes late
        self._write(handler, response)

    def _dispatch(self, request: RecordedRequest) -> Response:
        for method, pattern, function in self.routes:
            if method == request.method:
                match = pattern.match(request.path)
                if match:
                    try:
                        return function(request, **match.groupdict())
                    except Exception as exc:  # a bug in the fake: answer 500 and keep the message
                        return Response(500, self.error_body(500, f"fake server error: {exc!r}"))
        return Response(404, self.error_body(404, f"no route for {request.method} {request.path}"))

    def _write(self, handler: BaseHTTPRequestHandler, response: Response) -> None:
        body = response.body
        headers = dict(response.headers)
        if isinstance(body, dict | list):
            payload = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        elif isinstance(body, str):
            payload = body.encode()
            headers.setdefault("Content-Type", "text/html; charset=utf-8")
        else:
            payload = body or b""
        try:
            handler.send_response(response.status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:  # the client gave up (timeout) – that is what a slow answer is for
            handler.close_connection = True

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- replies and moderation: each network's fake adds its routes here (after its own) ---------

    def setup_action_routes(self) -> None:
        pass

    def route_first(self, method: str, pattern: str, handler) -> None:
        """Like :meth:`route`, but matched before the routes added so far."""
        self.routes.insert(0, (method, re.compile(pattern + r"/?$"), handler))
