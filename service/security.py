"""HTTP hardening: security headers, optional API keys, a limit on token guesses, no redirects.

- Every response the app makes (errors too) carries the headers of SECURITY_HEADERS; admin,
  feedback and error responses are also `Cache-Control: no-store`.
- With KAKEHASHI_API_KEYS set (comma-separated), every /v1 call but the admin ones needs one of
  the keys in `X-API-Key` or `Authorization: Bearer` (compared in constant time).
- After GUESS_LIMIT wrong admin tokens or API keys from one client address within
  GUESS_WINDOW_SECONDS, that address gets 429 on guarded paths until the window moves on. The
  count is kept in memory per worker process (each gunicorn worker counts on its own).
- No redirect is ever derived from the Host header: strict slashes and slash merging are off,
  so `/v1/model/` and `//v1/model` are 404s instead of 308s to an absolute URL.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import OrderedDict, deque

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from service.errors import ApiError

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # /docs is one page with its own <style>; no scripts
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cross-Origin-Resource-Policy": "same-origin",
}
NO_STORE_PREFIXES = ("/v1/admin", "/v1/feedback")
ADMIN_PREFIX = "/v1/admin"
API_PREFIX = "/v1/"
API_KEY_HEADER = "X-API-Key"
GUESS_LIMIT = 10
GUESS_WINDOW_SECONDS = 300
MAX_TRACKED_ADDRESSES = 10_000
EXTENSION = "kakehashi.guesses"


class GuessLimiter:
    """Counts wrong credentials per client address in a sliding window (thread-safe)."""

    def __init__(self, limit: int, window_seconds: float, clock=time.monotonic):
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.get(address, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, address: str) -> int:
        """Seconds until this address may try again (0: it may now)."""
        with self._lock:
            now = self.clock()
            failures = self._recent(address, now)
            if len(failures) < self.limit:
                return 0
            return max(1, math.ceil(failures[-self.limit] + self.window - now))

    def fail(self, address: str) -> None:
        """Note one wrong token or key from this address."""
        with self._lock:
            now = self.clock()
            failures = self._recent(address, now)
            failures.append(now)
            self._failures[address] = failures
            self._failures.move_to_end(address)
            while len(self._failures) > MAX_TRACKED_ADDRESSES:  # bounded memory under a flood
                self._failures.popitem(last=False)


def configured_keys(value: object) -> tuple[str, ...]:
    """The API keys of the config: a comma-separated string or a list; blanks dropped."""
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return tuple(part.strip() for part in parts if part.strip())


def given_key() -> str:
    """The API key of the request: X-API-Key, else an `Authorization: Bearer` token."""
    key = request.headers.get(API_KEY_HEADER, "").strip()
    if key:
        return key
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def key_matches(given: str, keys: tuple[str, ...]) -> bool:
    """Whether `given` is one of `keys`, comparing against every key in constant time."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(given.encode(), key.encode())
    return found


def _guarded(path: str) -> bool:
    return path.startswith(ADMIN_PREFIX) or (
        path.startswith(API_PREFIX) and bool(current_app.config["API_KEYS"])
    )


def check_request() -> None:
    """Before every request: the guess limit, then the API key of a /v1 read call."""
    path = request.path
    if not _guarded(path):
        return
    wait = current_app.extensions[EXTENSION].retry_after(request.remote_addr or "")
    if wait:
        raise ApiError(
            "too_many_attempts",
            f"too many wrong tokens or keys from this address; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    if path.startswith(ADMIN_PREFIX):
        return  # the admin blueprint checks its own token
    keys = current_app.config["API_KEYS"]
    given = given_key()
    if not given:
        raise ApiError(
            "api_key_required", f"send an API key in the {API_KEY_HEADER} header (or as Bearer)"
        )
    if not key_matches(given, keys):
        current_app.extensions[EXTENSION].fail(request.remote_addr or "")
        raise ApiError("invalid_api_key", f"the {API_KEY_HEADER} given is not a configured key")


def read_streamed_body() -> None:
    """Read a body sent without Content-Length (chunked) now, so one over the limit is a 413.

    Werkzeug stops such a stream at MAX_CONTENT_LENGTH without an error, so the views would see
    a truncated body (and answer `invalid_json`); a byte beyond the limit makes it a 413 here.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is not None or not request.headers.get("Transfer-Encoding"):
        return
    data = request.get_data(cache=True)
    if limit is not None and len(data) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def finish_response(response: Response) -> Response:
    """After every request: security headers, no-store, and counting wrong admin tokens."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.status_code >= 400 or request.path.startswith(NO_STORE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    if response.status_code == 403 and request.path.startswith(ADMIN_PREFIX):
        body = response.get_json(silent=True) or {}
        if body.get("error", {}).get("code") == "forbidden":  # a wrong token, not a disabled admin
            current_app.extensions[EXTENSION].fail(request.remote_addr or "")
    return response


def init_app(app: Flask) -> None:
    """Install the checks; call before any blueprint is registered (the URL map settings)."""
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    app.config["API_KEYS"] = configured_keys(app.config.get("API_KEYS"))
    limit = int(app.config.get("GUESS_LIMIT", GUESS_LIMIT))
    window = float(app.config.get("GUESS_WINDOW_SECONDS", GUESS_WINDOW_SECONDS))
    app.extensions[EXTENSION] = GuessLimiter(limit, window)
    app.before_request(check_request)
    app.before_request(read_streamed_body)
    app.after_request(finish_response)
