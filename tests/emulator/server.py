"""The EC2 API emulator: moto's server, patched (see patches/), on a loopback port.

    with Emulator() as emulator:
        ec2 = emulator.client()
        ...
        emulator.calls["RunInstances"]   # EC2 calls seen, by action

Every EC2 request goes through `Ec2CallMiddleware`, which counts it, logs its action to
`request_log` (one line per call, for other processes to count), with `throttle_rate` answers
that fraction of calls with AWS's throttling error instead of performing them, and with `realism`
(realism.py) makes EC2 behave in time and per zone as AWS does (README.md, "Realism").

moto's state is process-wide: emulators in one process share resources (not counters); `reset()`
clears all of it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import socket
import threading
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape as xml_escape

import boto3
from moto.server import ThreadedMotoServer

from . import DEFAULT_REGION, patches
from .realism import Realism, RealismState, clear_scheduled, created_ids, not_found, omit_hidden, referenced_ids, run_due, serving

ACCOUNT_ID = "123456789012"  # moto's default account: owner of everything created here
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
_TIMEOUT = 10.0

StartResponse = Callable[..., Any]
ERROR_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
    "</Error></Errors><RequestID>{request_id}</RequestID></Response>"
)


def error_response(start_response: StartResponse, status: str, code: str, message: str) -> list[bytes]:
    """EC2's error document (the query protocol's XML) with `status`."""
    body = ERROR_BODY.format(code=code, message=xml_escape(message), request_id=uuid.uuid4()).encode()
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    return [body]


class Ec2CallMiddleware:
    """WSGI middleware: counts, logs and (optionally) throttles EC2 API calls.

    An EC2 call is a request signed for the `ec2` service; its action comes from the form body
    (boto3) or the query string. Other requests (moto's /moto-api, other services) pass untouched.

    Throttling answers as EC2 does when its request rate limit is hit: error code
    `RequestLimitExceeded`, message "Request limit exceeded.", in EC2's error XML, with HTTP status
    503 (EC2 sends 503 Service Unavailable for this code; botocore and amazon.aws retry it as a
    throttling error). The call is not performed. With a seed the sequence of throttled calls is
    reproducible.

    With `realism`, the calls it serves (not the throttled or paused ones) run with that realism
    active for the patches (realism.active()), and eventual consistency is applied here, on the
    wire: ids returned by a Create* call are hidden for a random while, a call naming one is
    answered with AWS's NotFound error (HTTP 400, not performed), a Describe response omits them.
    """

    THROTTLE_STATUS = "503 Service Unavailable"
    NOT_FOUND_STATUS = "400 Bad Request"

    def __init__(self, app: Callable[..., Iterable[bytes]], throttle_rate: float = 0.0, throttle_seed: int | None = None,
                 request_log: str | Path | None = None, realism: Realism | None = None) -> None:
        if not 0.0 <= throttle_rate <= 1.0:
            raise ValueError(f"throttle_rate must be within 0.0-1.0, not {throttle_rate}")
        self.app = app
        self.throttle_rate = throttle_rate
        self.throttle_seed = throttle_seed
        self.request_log = Path(request_log) if request_log else None
        self.realism = RealismState(realism) if realism is not None else None
        self.calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self._random = random.Random(throttle_seed)
        self._lock = threading.Lock()
        self._paused = False

    def reset(self) -> None:
        """Forget the calls seen and restart the throttling sequence from the seed."""
        with self._lock:
            self.calls.clear()
            self.throttled.clear()
            self._random = random.Random(self.throttle_seed)
        if self.realism is not None:
            self.realism.reset()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Neither count, log, throttle nor apply realism to the calls made meanwhile (set-up done by
        the harness)."""
        with self._lock:
            self._paused = True
        try:
            yield
        finally:
            with self._lock:
                self._paused = False

    @staticmethod
    def ec2_request(environ: dict[str, Any]) -> tuple[str | None, dict[str, list[str]]]:
        """The action and parameters of an EC2 call; (None, {}) for any other request."""
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if "/ec2/aws4_request" not in authorization:
            return None, {}
        body = b""
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)  # moto reads the body again
        params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        params.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
        action = params.get("Action")
        return (action[0] if action else None), params

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        action, params = self.ec2_request(environ)
        if action is None:
            return self.app(environ, start_response)
        run_due()  # state changes whose time has come (realism.schedule)
        with self._lock:
            counted = not self._paused
            throttle = counted and self.throttle_rate > 0.0 and self._random.random() < self.throttle_rate
            if counted:
                self.calls[action] += 1
                if throttle:
                    self.throttled[action] += 1
                if self.request_log is not None:
                    with self.request_log.open("a", encoding="utf-8") as log:
                        log.write(action + "\n")
        if throttle:
            return error_response(start_response, self.THROTTLE_STATUS, "RequestLimitExceeded", "Request limit exceeded.")
        if self.realism is None or not counted:
            return self.app(environ, start_response)
        return self._realistic(action, params, environ, start_response)

    def _realistic(self, action: str, params: dict[str, list[str]], environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Serve one call with realism: refuse ids not visible yet, hide new ids, filter Describes."""
        state = self.realism
        assert state is not None
        hidden = state.hidden()
        for resource_id in referenced_ids(params):
            if resource_id in hidden:
                code, message = not_found(resource_id, hidden[resource_id])
                return error_response(start_response, self.NOT_FOUND_STATUS, code, message)
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured[:] = [status, headers]
            return lambda data: None

        with serving(state):
            result = self.app(environ, capture)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        status, headers = captured
        if status.startswith("200"):
            for resource_id, kind in created_ids(action, body):
                state.hide(resource_id, kind)
            body = omit_hidden(action, body, set(hidden))
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"] + [("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]


class Emulator:
    """moto's ThreadedMotoServer with the patches applied and EC2 calls counted.

    port=0 takes a free port; `url` tells which. Use as a context manager or start()/stop().
    `realism=Realism(seed=...)` turns realism on for the calls this emulator serves.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, throttle_rate: float = 0.0, throttle_seed: int | None = None,
                 request_log: str | Path | None = None, realism: Realism | None = None) -> None:
        self.host = host
        self.port = port
        self.realism = realism
        self.middleware = Ec2CallMiddleware(self._not_started, throttle_rate, throttle_seed, request_log, realism)
        self._server: ThreadedMotoServer | None = None

    @staticmethod
    def _not_started(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        raise RuntimeError("Emulator not started")

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        patches.apply_patches()
        if self.port:
            self._check_port_free()
        # werkzeug logs every request at INFO; keep warnings and errors (tracebacks of 500s).
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        server.start()
        # ThreadedMotoServer builds its WSGI app inside its thread; wrap it there. Nobody knows
        # the port of a port=0 server yet, so no request can miss the middleware.
        wsgi_server = server._server  # pylint: disable=protected-access
        assert wsgi_server is not None
        self.middleware.app = wsgi_server.app
        wsgi_server.app = self.middleware
        self.port = server.get_host_and_port()[1]
        self._server = server
        return self

    def _check_port_free(self) -> None:
        """Raise OSError (address in use) now: ThreadedMotoServer would wait forever for a server
        that failed to bind in its thread."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug's server does
            probe.bind((self.host, self.port))

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def reset(self) -> None:
        """Clear all moto state (POST /moto-api/reset), pending realism changes and the call counters."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # nosec - loopback only
            response.read()
        clear_scheduled()
        self.middleware.reset()

    @property
    def calls(self) -> Counter[str]:
        """EC2 calls seen (throttled ones included), by action name."""
        return Counter(self.middleware.calls)

    @property
    def throttled(self) -> Counter[str]:
        """EC2 calls answered with RequestLimitExceeded, by action name."""
        return Counter(self.middleware.throttled)

    @property
    def request_count(self) -> int:
        return sum(self.middleware.calls.values())

    def paused(self) -> contextlib.AbstractContextManager[None]:
        return self.middleware.paused()

    def client_kwargs(self, region_name: str = DEFAULT_REGION) -> dict[str, Any]:
        return {"endpoint_url": self.url, "region_name": region_name, **CREDENTIALS}

    def client(self, service: str = "ec2", region_name: str = DEFAULT_REGION, **kwargs: Any) -> Any:
        """A boto3 client of this emulator (extra keyword arguments go to boto3.client)."""
        return boto3.client(service, **self.client_kwargs(region_name), **kwargs)

    def env(self, region_name: str = DEFAULT_REGION) -> dict[str, str]:
        """Environment for another process (ansible-playbook, a module) to use this emulator:
        amazon.aws modules take AWS_URL as their endpoint_url, boto3 itself honours AWS_ENDPOINT_URL."""
        return {
            "AWS_URL": self.url,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": region_name,
            "AWS_REGION": region_name,
        }
