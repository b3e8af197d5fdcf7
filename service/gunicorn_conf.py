"""gunicorn settings: `gunicorn --config service/gunicorn_conf.py "service:create_app()"`.

Environment: KAKEHASHI_BIND (default 127.0.0.1:8000; --bind overrides it), KAKEHASHI_WORKERS
(default 2), KAKEHASHI_THREADS (threads per worker, default 4), KAKEHASHI_TIMEOUT (seconds,
default 30).
Access log: one JSON object per line on standard output.
"""

import json
import os

from gunicorn.glogging import Logger

bind = os.environ.get("KAKEHASHI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("KAKEHASHI_WORKERS", "2"))
# Threaded workers: a client that is slow to send its headers holds one thread, not a whole
# worker (with sync workers two such clients stopped the service). The model holder and the
# Japanese analyzer are thread-safe; the GIL is released in the sparse products.
worker_class = "gthread"
threads = int(os.environ.get("KAKEHASHI_THREADS", "4"))
timeout = int(os.environ.get("KAKEHASHI_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Each worker builds its own app and loads the model itself; the holder swaps it on promotion.
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
