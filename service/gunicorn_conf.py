"""gunicorn settings: `gunicorn --config service/gunicorn_conf.py "service:create_app()"`.

Environment: KAKEHASHI_BIND (default 127.0.0.1:8000; --bind overrides it), KAKEHASHI_WORKERS
(default 2), KAKEHASHI_WORKER_CONNECTIONS (open connections per worker, default 1000),
KAKEHASHI_TIMEOUT (seconds, default 30), KAKEHASHI_KEEPALIVE (seconds, default 5).
Access log: one JSON object per line on standard output. gunicorn's own error pages (a
malformed request line or headers, over a limit) are JSON like the app's.
"""

import json
import os

from gunicorn import util
from gunicorn.glogging import Logger

bind = os.environ.get("KAKEHASHI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("KAKEHASHI_WORKERS", "2"))
# gevent workers: each connection is a greenlet, so clients that are slow to send their request
# (or never finish it) cost a socket each, not a thread or a worker; 50 of them sending one byte
# a second leave the others answered at once (tests/service/test_slow_clients.py). With
# keepalive set, gunicorn reads every request's line and headers under a `keepalive`-second
# gevent timeout, so such a client is dropped after KAKEHASHI_KEEPALIVE seconds.
worker_class = "gevent"
worker_connections = int(os.environ.get("KAKEHASHI_WORKER_CONNECTIONS", "1000"))
timeout = int(os.environ.get("KAKEHASHI_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = int(os.environ.get("KAKEHASHI_KEEPALIVE", "5"))  # >= 1: it is the header timeout
# Request size limits enforced by gunicorn before the app sees anything (JSON 414 / 431 / 400):
limit_request_line = 4094  # bytes of `GET /path?query HTTP/1.1`
limit_request_fields = 50  # headers per request
limit_request_field_size = 8190  # bytes of one header
# Each worker builds its own app (after gevent has patched it); the model the master loaded before
# the fork (on_starting, below) is adopted, later versions each worker loads itself on promotion.
preload_app = False
# gunicorn >= 23 opens a control socket in ~/.gunicorn; unused here, and two servers would clash.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("KAKEHASHI_LOG_LEVEL", "info")

# The fields of each access-log line, as gunicorn atoms (the JSON logger below reads this).
ACCESS_FIELDS = {
    "time": "t",
    "remote": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "user_agent": "a",
}
access_log_format = json.dumps({name: f"%({atom})s" for name, atom in ACCESS_FIELDS.items()})


class JsonAccessLogger(Logger):
    """Writes access-log lines with json.dumps, so quotes in paths or agents stay valid JSON."""

    def access(self, resp, req, environ, request_time):
        """Log one request as a JSON line."""
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        record = {name: atoms.get(atom) for name, atom in ACCESS_FIELDS.items()}
        record["status"] = int(record["status"]) if str(record["status"]).isdigit() else None
        try:
            self.access_log.info("%s", json.dumps(record, ensure_ascii=False))
        except Exception:  # never let logging break a response
            self.exception("could not write the access log line")


logger_class = JsonAccessLogger


# gunicorn's own errors, as codes of service/errors.py ERROR_CODES (a test checks they exist).
GUNICORN_ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    414: "uri_too_long",
    431: "headers_too_large",
    500: "internal_error",
}
# The app's security headers (service/security.py), on gunicorn's own answers too.
ERROR_HEADERS = (
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
)


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's error answer (util.write_error) as the app's JSON error body."""
    code = GUNICORN_ERROR_CODES.get(status_int, "http_error")
    message = reason.lower() + (f": {mesg}" if mesg else "")
    body = json.dumps({"error": {"code": code, "message": message}}).encode("ascii")
    head = f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n{ERROR_HEADERS}"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    util.write_nonblock(sock, head.encode("latin-1") + body)


def post_worker_init(worker) -> None:
    """In each worker: answer gunicorn-level errors (bad request line, limits) with JSON."""
    util.write_error = write_json_error


def on_starting(server) -> None:
    """In the master, before the first fork: import every module of the app (and so the libraries
    they use), load the promoted model, and move everything made so far out of the garbage
    collector's reach (gc.freeze). The workers then share these pages copy-on-write instead of
    each building its own copy; the collector would otherwise write to every object it visits
    and so copy them all (docs/benchmarks.md, "Workers share one model")."""
    import gc
    import importlib
    import pkgutil

    def skip(name: str, problem: object = "it cannot be imported") -> None:
        server.log.warning("not importing %s before the fork: %s", name, problem)

    for package in ("kakehashi", "service"):
        root = importlib.import_module(package)
        for found in pkgutil.walk_packages(root.__path__, f"{package}.", onerror=skip):
            if found.name.endswith(".__main__"):
                continue
            try:
                importlib.import_module(found.name)
            except Exception as exc:  # sharing only saves memory: never a reason not to start
                skip(found.name, exc)
    importlib.import_module("service").preload_model(server.log)
    gc.freeze()
