"""The one module that talks HTTP: a small GitHub REST client on ``urllib.request``.

ADR-0004 chose the standard library so that installing the plugin pulls no HTTP dependency
into every test environment; keeping the client here means tests can point it at a local
server (``GITHUB_API_URL``) and a later switch touches one file.

The client is safe by construction; each concern lives in one layer, outermost first:

* :meth:`GitHubClient.request` decodes: a 2xx answer must carry JSON (or nothing), anything
  else is a :class:`GitHubError`; callers then check the shape they need (a list, an ``id``).
* ``_send_with_retries`` retries 5xx answers and connection failures with bounded exponential
  backoff, and waits out rate limits (``Retry-After``, or ``X-RateLimit-Remaining: 0`` with
  ``X-RateLimit-Reset``) up to ``max_wait`` seconds; no wait is ever longer than what is left
  of the client's overall ``budget``. A request that missed its deadline is not retried: the
  server may still be working on it, and a retried ``POST`` could add a second comment.
* ``_send_following_redirects`` follows 301/302/307/308 only to the same scheme, host and
  port (with the same method and body, as GitHub asks); any other 3xx is an error, never a
  success.
* ``_round_trip`` sends one request under one deadline for connect, headers and body
  together (a watchdog shuts the socket down when it passes, so a server that trickles a byte
  at a time cannot stretch it), and reads at most ``max_body`` bytes of a 2xx body (a larger
  one is an error) and :data:`MAX_ERROR_BODY` bytes of any other.
* The constructor validates its inputs: the token goes only over ``https://``; plain
  ``http://`` is accepted for loopback hosts only (tests), and no proxy is used for it.

Nothing of the token reaches any output: it is held by an object whose ``repr`` hides it,
every message is scrubbed of it (after control characters are removed, so that a server
cannot smuggle it out split by them), and server text is shown as one short line.

Who wrote a comment: ``GET /user`` is not available to the ``GITHUB_TOKEN`` of a workflow (an
app installation token), so callers cannot ask the API who they are. :func:`is_own_comment`
instead compares the comment's ``user.login`` with a configured login (``github-actions[bot]``
by default); a ``Bot`` user also matches the login without its ``[bot]`` suffix.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import ipaddress
import json as _json
import math
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_archgate.errors import ArchgateError, CommandError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_BOT_LOGIN = "github-actions[bot]"
API_VERSION = "2022-11-28"

#: Largest 2xx body read (a page of 30 comments of 65,536 four-byte characters fits).
MAX_BODY = 10 * 1024 * 1024
#: Bytes of a non-2xx body read for its message; the rest is never read.
MAX_ERROR_BODY = 4096
#: Same-origin redirects followed for one request.
MAX_REDIRECTS = 5
#: Longest server text shown in a message.
MAX_SHOWN = 300

_FOLLOWED = frozenset({301, 302, 307, 308})
# ``[^<>]*`` keeps the scan linear on hostile headers full of ``<``.
_LINK_RE = re.compile(r'<([^<>]*)>\s*;\s*rel="?([^",;]*)"?')
_OWNER_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,100}")
# C0 and C1 controls, DEL, and invisible format characters (bidi overrides, zero widths):
# removed, not replaced, so that a token split by them is whole again when scrubbed.
_CONTROL_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


class GitHubError(ArchgateError):
    """A GitHub API request failed. ``status`` is the HTTP status, or ``None`` when no response
    arrived (timeout, connection refused). The message never contains the token."""

    def __init__(self, status: int | None, message: str, *, rate_limited: bool = False) -> None:
        self.status = status
        self.rate_limited = rate_limited
        super().__init__(message)


# --------------------------------------------------------------------------- input checks


def validate_repo(repo: str, setting: str = "--repo") -> tuple[str, str]:
    """``(owner, name)`` of ``OWNER/NAME`` written with GitHub's allowed characters.

    Owner: letters, digits and single inner hyphens, at most 39 characters. Name: letters,
    digits, ``-``, ``_`` and ``.``, at most 100 characters, not ``.`` or ``..``. Anything
    else raises :class:`CommandError` naming ``setting``.
    """
    owner, sep, name = repo.partition("/")
    if sep and _OWNER_RE.fullmatch(owner) and _NAME_RE.fullmatch(name) and name not in (".", ".."):
        return owner, name
    raise CommandError(
        f"invalid repository {one_line(repo, 120)!r}: use OWNER/NAME (owner: letters, digits "
        "and single hyphens, at most 39; name: letters, digits, '-', '_', '.', at most 100)",
        field=setting,
    )


def validate_number(value: object, setting: str = "--pr") -> int:
    """A pull request (issue) number: a positive int; anything else is a :class:`CommandError`."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    raise CommandError(
        f"invalid pull request number {one_line(str(value), 40)}: use a positive integer",
        field=setting,
    )


def repo_path(repo: str, *segments: str | int) -> str:
    """``/repos/OWNER/NAME/...`` with every segment URL-quoted (after :func:`validate_repo`)."""
    owner, name = validate_repo(repo)
    parts = [owner, name, *(str(s) for s in segments)]
    return "/repos/" + "/".join(urllib.parse.quote(p, safe="") for p in parts)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Origin = tuple[str, str, int]


def _origin(url: str) -> Origin | None:
    """``(scheme, host, port)`` of an http(s) URL, or ``None`` when it has none."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


def check_api_url(api_url: str, setting: str = "GITHUB_API_URL") -> str:
    """The API URL without a trailing ``/``, if the token may be sent there.

    ``https://`` anywhere; plain ``http://`` only to loopback hosts (``127.0.0.0/8``, ``::1``,
    ``localhost``), so that tests can use a local server. Credentials, a query or a fragment
    in the URL are refused too. Raises :class:`CommandError` naming ``setting``.
    """
    api_url = api_url.strip()
    shown = one_line(api_url, 120)
    origin = _origin(api_url)
    if origin is None or any(ch <= " " or ch == "\x7f" for ch in api_url):
        raise CommandError(
            f"invalid GitHub API URL {shown!r}: use https://HOST[/PATH]", field=setting
        )
    parts = urllib.parse.urlsplit(api_url)
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise CommandError(
            f"invalid GitHub API URL {shown!r}: no credentials, query or fragment allowed",
            field=setting,
        )
    scheme, host, _port = origin
    if scheme == "http" and not _is_loopback(host):
        raise CommandError(
            f"refusing to send the token over plain http:// to {one_line(host, 80)}: use an "
            "https:// URL (http:// is accepted only for loopback hosts, for tests)",
            field=setting,
        )
    return api_url.rstrip("/")


def one_line(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` as one line: control characters removed, whitespace collapsed, truncated."""
    text = " ".join(_CONTROL_RE.sub("", text).split())
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


class _Secret:
    """Holds the token; its ``repr`` and ``str`` never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<token>"

    __str__ = __repr__


# --------------------------------------------------------------------------- one round trip


class _Watchdog:
    """Shuts a connection's socket down when the request's deadline passes.

    Socket timeouts apply to each read; a server that sends one byte every second never
    trips them. Shutting the socket down wakes the blocked read, whatever phase it is in.
    """

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._armed = True
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is not None:
            # The plain socket method: on an SSLSocket it cuts the connection without
            # touching the TLS object another thread is reading through.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)

    def _fire(self) -> None:
        with self._lock:
            if self._armed:
                self.fired = True
                self._shutdown()

    def disarm(self) -> None:
        with self._lock:
            self._armed = False
            self._sock = None
        self._timer.cancel()


class _WatchedHTTPConnection(http.client.HTTPConnection):
    watchdog: _Watchdog | None = None

    def connect(self) -> None:
        super().connect()
        if self.watchdog is not None and self.sock is not None:
            self.watchdog.watch(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    watchdog: _Watchdog | None = None

    def connect(self) -> None:
        super().connect()
        if self.watchdog is not None and self.sock is not None:
            self.watchdog.watch(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        watchdog = self._watchdog

        def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            conn = _WatchedHTTPConnection(host, **kwargs)
            conn.watchdog = watchdog
            return conn

        return self.do_open(connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._watchdog = watchdog
        self._ssl_context = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        watchdog = self._watchdog

        def connection(host: str, **kwargs: Any) -> http.client.HTTPSConnection:
            conn = _WatchedHTTPSConnection(host, **kwargs)
            conn.watchdog = watchdog
            return conn

        return self.do_open(connection, req, context=self._ssl_context)


@dataclass(frozen=True)
class _Answer:
    """One HTTP answer: status, lower-cased headers, and the body read (capped)."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes


class _RoundTripFailed(Exception):
    """No usable answer; ``retry`` says whether trying again may help."""

    def __init__(self, why: str, *, retry: bool, timed_out: bool = False) -> None:
        super().__init__(why)
        self.why = why
        self.retry = retry
        self.timed_out = timed_out


def _timed_out(timeout: float) -> _RoundTripFailed:
    return _RoundTripFailed(
        f"timed out: no complete answer within {timeout:g}s (connect, headers and body)",
        retry=False,
        timed_out=True,
    )


# --------------------------------------------------------------------------- the client


class GitHubClient:
    """A minimal GitHub REST client.

    ``request`` returns ``(status, headers, body)`` for a 2xx response, where ``headers``
    has lower-case names and ``body`` is the decoded JSON (``None`` when empty); any other
    outcome raises :class:`GitHubError` once retries are spent. ``timeout`` is the deadline of
    one request (connect, headers and body together); ``budget`` bounds everything the client
    does, retries and waits included. ``sleep``, ``clock`` (wall time, for rate-limit resets)
    and ``monotonic`` are injectable so that tests of retries run instantly.
    """

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        timeout: float = 10,
        max_retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        *,
        max_backoff: float = 8.0,
        max_wait: float = 60.0,
        max_pages: int = 100,
        budget: float = 120.0,
        max_body: int = MAX_BODY,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        url_setting: str = "GITHUB_API_URL",
    ) -> None:
        from pytest_archgate import __version__

        token = token.strip()
        if not token or any(not ("!" <= ch <= "~") for ch in token):
            # http.client would echo an invalid header value (the token) in its ValueError.
            raise GitHubError(None, "the token is empty or has characters invalid in a header")
        self._token = _Secret(token)
        try:
            self.api_url = check_api_url(api_url, url_setting)
        except CommandError as exc:
            raise CommandError(self.scrub(exc.message), field=exc.field) from None
        origin = _origin(self.api_url)
        assert origin is not None  # checked above
        self._origin = origin
        for name, value in (("timeout", timeout), ("budget", budget)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise CommandError(f"{name} must be a positive number of seconds, not {value!r}")
        self.timeout = float(timeout)
        self.budget = float(budget)
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.max_pages = max_pages
        self.max_body = max_body
        self.sleep = sleep
        self.clock = clock
        self.monotonic = monotonic
        self.user_agent = f"pytest-archgate/{__version__}"
        self._budget_end = monotonic() + self.budget
        self._ssl_context = ssl.create_default_context()

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self.api_url!r})"

    # ------------------------------------------------------------------ helpers

    def scrub(self, text: str) -> str:
        """``text`` with the token (in any letter case) replaced by ``***``."""
        return re.sub(re.escape(self._token.reveal()), "***", text, flags=re.IGNORECASE)

    def _error(
        self, status: int | None, message: str, *, rate_limited: bool = False
    ) -> GitHubError:
        return GitHubError(status, self.scrub(message), rate_limited=rate_limited)

    def _shown(self, text: str, limit: int = MAX_SHOWN) -> str:
        """Server text fit for a message: one line, no control characters, no token, short."""
        return one_line(self.scrub(one_line(text, 100_000)), limit)

    def _url(self, path_or_url: str, base: str | None = None) -> str:
        if path_or_url.startswith(("http://", "https://")) or base is not None:
            url = urllib.parse.urljoin(base or self.api_url + "/", path_or_url)
            if _origin(url) != self._origin:
                # Never send the token to a host other than the configured API.
                raise self._error(
                    None, f"refusing to follow a URL outside {self.api_url}: {self._shown(url)}"
                )
            return url
        return self.api_url + "/" + path_or_url.lstrip("/")

    def _left(self) -> float:
        """Seconds left of the overall budget."""
        return self._budget_end - self.monotonic()

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * (2**attempt)))

    def _rate_limit_wait(
        self, status: int, headers: Mapping[str, str], attempt: int
    ) -> tuple[bool, float]:
        """``(is_rate_limit, seconds GitHub asks to wait)``."""
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            wait = _parse_retry_after(retry_after, self.clock())
            return True, self._backoff(attempt) if wait is None else wait
        if headers.get("x-ratelimit-remaining", "").strip() == "0":
            try:
                reset = float(headers.get("x-ratelimit-reset", ""))
            except ValueError:
                return True, self._backoff(attempt)
            if not math.isfinite(reset):
                return True, math.inf
            return True, max(0.0, reset - self.clock()) + 1.0
        if status == 429:
            return True, self._backoff(attempt)
        return False, 0.0

    # ------------------------------------------------------------------ one round trip

    def _build(self, method: str, url: str, data: bytes | None) -> urllib.request.Request:
        req = urllib.request.Request(url, data=data, method=method)
        req.add_unredirected_header("Authorization", f"Bearer {self._token.reveal()}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", API_VERSION)
        req.add_header("User-Agent", self.user_agent)
        if data is not None:
            req.add_header("Content-Type", "application/json; charset=utf-8")
        return req

    def _opener(self, scheme: str, watchdog: _Watchdog) -> urllib.request.OpenerDirector:
        """An opener without redirect, cookie, FTP or file handlers; no proxy for http://."""
        opener = urllib.request.OpenerDirector()
        proxies = urllib.request.ProxyHandler() if scheme == "https" else None
        handlers: list[urllib.request.BaseHandler] = [
            proxies or urllib.request.ProxyHandler({}),
            _HTTPHandler(watchdog),
            _HTTPSHandler(watchdog, self._ssl_context),
            urllib.request.HTTPDefaultErrorHandler(),
            urllib.request.HTTPErrorProcessor(),
        ]
        for handler in handlers:
            opener.add_handler(handler)
        return opener

    def _round_trip(self, method: str, url: str, data: bytes | None, deadline: float) -> _Answer:
        """Send one request; connect, headers and body must all arrive before ``deadline``."""
        left = deadline - self.monotonic()
        if left <= 0:
            raise _timed_out(self.timeout)
        watchdog = _Watchdog(left)
        try:
            try:
                try:
                    scheme = urllib.parse.urlsplit(url).scheme.lower()
                    resp: Any = self._opener(scheme, watchdog).open(
                        self._build(method, url, data), timeout=left
                    )
                except urllib.error.HTTPError as exc:
                    resp = exc  # a non-2xx answer: status, headers and body as for a 2xx one
                try:
                    status = int(resp.status)
                    headers = {k.lower(): v for k, v in (resp.headers or {}).items()}
                    body = self._read_body(resp, status, headers, deadline, watchdog)
                    reason = str(getattr(resp, "reason", "") or "")
                finally:
                    resp.close()
            finally:
                watchdog.disarm()
        except _RoundTripFailed:
            raise
        except Exception as exc:
            if watchdog.fired:
                raise _timed_out(self.timeout) from None
            raise _failure(exc, self.timeout) from None
        if watchdog.fired:
            raise _timed_out(self.timeout)
        return _Answer(status, reason, headers, body)

    def _read_body(
        self,
        resp: Any,
        status: int,
        headers: Mapping[str, str],
        deadline: float,
        watchdog: _Watchdog,
    ) -> bytes:
        """The body: at most ``max_body`` bytes of a 2xx one (more is an error), at most
        :data:`MAX_ERROR_BODY` of a 4xx/5xx one (the rest unread), nothing of a 3xx one."""
        ok = 200 <= status < 300
        cap = self.max_body if ok else (0 if 300 <= status < 400 else MAX_ERROR_BODY)
        length = headers.get("content-length", "").strip()
        if ok and length.isdigit() and int(length) > cap:
            raise _RoundTripFailed(
                f"the answer announces {int(length):,} bytes, more than the "
                f"{cap:,}-byte limit; not read",
                retry=False,
            )
        chunks: list[bytes] = []
        total = 0
        limit = cap + 1 if ok else cap  # one byte more tells an oversized 2xx body apart
        while total < limit:
            if watchdog.fired or self.monotonic() >= deadline:
                raise _timed_out(self.timeout)
            chunk = resp.read(min(65536, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if ok and total > cap:
            raise _RoundTripFailed(
                f"the answer is larger than the {cap:,}-byte limit; read no further", retry=False
            )
        return b"".join(chunks)[:cap]

    # ------------------------------------------------------------------ redirects

    def _send_following_redirects(
        self, method: str, url: str, data: bytes | None, deadline: float, shown: str
    ) -> _Answer:
        """Follow same-origin 301/302/307/308 answers; any other 3xx is a :class:`GitHubError`."""
        for hop in range(MAX_REDIRECTS + 1):
            answer = self._round_trip(method, url, data, deadline)
            if not 300 <= answer.status < 400:
                return answer
            location = answer.headers.get("location", "").strip()
            target = urllib.parse.urljoin(url, location) if location else ""
            if not location:
                why = "without a Location"
            elif answer.status not in _FOLLOWED:
                why = f"to {self._shown(target, 120)}; a {answer.status} answer is not followed"
            elif _origin(target) != self._origin:
                why = f"to {self._shown(target, 120)}; redirects to another host are not followed"
            elif hop == MAX_REDIRECTS:
                why = f"more than {MAX_REDIRECTS} times; redirects stopped"
            else:
                url = target
                continue
            phrase = http.client.responses.get(answer.status, "")
            reason = f" {phrase}" if phrase else ""
            raise self._error(
                answer.status, f"{shown}: GitHub answered {answer.status}{reason} {why}"
            )
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ retries

    def _send_with_retries(self, method: str, url: str, data: bytes | None, shown: str) -> _Answer:
        """Retry transient failures and wait out rate limits, within ``budget``."""
        attempt = 0
        while True:
            left = self._left()
            if left <= 0:
                raise self._error(
                    None, f"{shown}: the {self.budget:g}s time budget is spent; not sent"
                )
            deadline = self.monotonic() + min(self.timeout, left)
            tries = f" after {attempt + 1} attempts" if attempt else ""
            try:
                answer = self._send_following_redirects(method, url, data, deadline, shown)
            except _RoundTripFailed as exc:
                if exc.timed_out and left < self.timeout:
                    exc.why = f"timed out: the {self.budget:g}s time budget ran out"
                wait = self._backoff(attempt)
                if exc.retry and attempt < self.max_retries and wait < self._left():
                    self.sleep(wait)
                    attempt += 1
                    continue
                raise self._error(
                    None, f"{shown}: {exc.why} after {attempt + 1} attempt(s)"
                ) from None
            status = answer.status
            if 200 <= status < 300:
                return answer

            message = self._message(answer.body) or http.client.responses.get(status, "error")
            message = self._shown(message)
            is_rate, wait = (
                self._rate_limit_wait(status, answer.headers, attempt)
                if status in (403, 429)
                else (False, 0.0)
            )
            if status >= 500 and attempt < self.max_retries:
                wait = self._backoff(attempt)
                if wait < self._left():
                    self.sleep(wait)
                    attempt += 1
                    continue
                tries += f" (the {self.budget:g}s time budget is spent)"
            if (
                is_rate
                and attempt < self.max_retries
                and wait <= self.max_wait
                and wait < self._left()
            ):
                self.sleep(wait)
                attempt += 1
                continue
            if is_rate:
                message = f"rate limited ({message})"
                if wait > self.max_wait or wait >= self._left():
                    message += f"; GitHub asks to wait {_seconds(wait)}, more than this run waits"
                when = _reset_time(answer.headers.get("x-ratelimit-reset", ""))
                if when:
                    message += f"; the limit resets at {when}"
            if not status >= 400:
                message = f"unexpected status ({message})"
            raise self._error(
                status, f"{shown}: HTTP {status}: {message}{tries}", rate_limited=is_rate
            )

    # ------------------------------------------------------------------ requests

    def request(
        self, method: str, path_or_url: str, json: Any = None
    ) -> tuple[int, dict[str, str], Any]:
        """Send one request (with retries); see the class docstring for the result."""
        url = self._url(path_or_url)
        shown = f"{method} {self._shown(urllib.parse.urlsplit(url).path, 200)}"
        data = None if json is None else _json.dumps(json).encode("utf-8")
        answer = self._send_with_retries(method, url, data, shown)
        return answer.status, answer.headers, self._decode(answer, shown)

    def _message(self, raw: bytes) -> str:
        """The ``message`` of an error body, else its text, without a token cut at the cap."""
        if len(raw) >= MAX_ERROR_BODY:
            # The cap may have cut an echoed token: drop as many bytes as it has.
            raw = raw[: -len(self._token.reveal())]
        return _message(raw)

    def _decode(self, answer: _Answer, shown: str) -> Any:
        if not answer.body.strip():
            return None
        try:
            return _json.loads(answer.body.decode("utf-8"))
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deeply
            raise self._error(
                answer.status,
                f"{shown}: GitHub answered {answer.status} with a body that is not JSON",
            ) from None

    def request_object(self, method: str, path: str, json: Any = None) -> dict[str, Any]:
        """:meth:`request` whose answer must be a JSON object."""
        status, _headers, body = self.request(method, path, json=json)
        if not isinstance(body, dict):
            raise self._error(status, f"{method} {path}: expected a JSON object from GitHub")
        return body

    def paginate(self, path: str) -> Iterator[Any]:
        """Yield the items of a list endpoint, following ``Link: <...>; rel="next"``."""
        url = self._url(path)
        pages = 0
        while True:
            pages += 1
            if pages > self.max_pages:
                raise self._error(None, f"GET {path}: more than {self.max_pages} pages")
            status, headers, body = self.request("GET", url)
            if not isinstance(body, list):
                raise self._error(status, f"GET {path}: expected a JSON list")
            yield from body
            target = next_link(headers.get("link", ""))
            if target is None:
                return
            url = self._url(target, base=url)


def _failure(exc: BaseException, timeout: float) -> _RoundTripFailed:
    """What went wrong before an answer arrived, and whether a retry may help."""
    reason: object = exc
    while isinstance(reason, urllib.error.URLError) and not isinstance(
        reason, urllib.error.HTTPError
    ):
        reason = reason.reason
    name = type(reason).__name__
    text = one_line(str(reason), 120)
    if isinstance(reason, TimeoutError | socket.timeout):
        return _timed_out(timeout)
    if isinstance(reason, ssl.SSLCertVerificationError):
        return _RoundTripFailed(f"TLS certificate not trusted ({text})", retry=False)
    if isinstance(reason, ConnectionError | socket.gaierror):
        return _RoundTripFailed(f"connection failed ({name}: {text})", retry=True)
    if isinstance(reason, http.client.HTTPException):
        return _RoundTripFailed(f"invalid HTTP answer ({name}: {text})", retry=False)
    if isinstance(reason, ValueError):
        return _RoundTripFailed(f"invalid request ({name})", retry=False)
    if isinstance(reason, OSError):
        return _RoundTripFailed(f"connection failed ({name}: {text})", retry=True)
    return _RoundTripFailed(f"request failed ({name})", retry=False)


def next_link(link_header: str) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    for target, rels in _LINK_RE.findall(link_header or ""):
        if "next" in rels.split():
            return str(target)
    return None


def _parse_retry_after(value: str, now: float) -> float | None:
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if not math.isnan(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


def _reset_time(reset: str) -> str:
    """``HH:MM:SS UTC`` of an ``X-RateLimit-Reset`` epoch, or ``""`` when not one."""
    reset = reset.strip()
    if not reset.isascii() or not reset.isdigit() or len(reset) > 12:
        return ""
    try:
        return time.strftime("%H:%M:%S UTC", time.gmtime(int(reset)))
    except (OverflowError, OSError, ValueError):
        return ""


def _seconds(wait: float) -> str:
    return f"{wait:.0f}s" if wait < 10**7 else "longer than a hundred days"


_MESSAGE_RE = re.compile(r'"message"\s*:\s*"((?:[^"\\]|\\.)*)')


def _message(raw: bytes) -> str:
    """The ``message`` of a GitHub error body, else its text.

    A body cut at :data:`MAX_ERROR_BODY` is no longer valid JSON: its ``message`` string is
    then decoded as far as it goes, so that escapes (``\\u0000``, ``\\r\\n``) are not shown raw.
    """
    text = raw.decode("utf-8", errors="replace")
    try:
        body = _json.loads(text)
    except (ValueError, RecursionError):
        match = _MESSAGE_RE.search(text)
        if match is None:
            return text
        partial = match.group(1)
        for candidate in (partial, partial[: partial.rfind("\\")] if "\\" in partial else ""):
            try:
                return str(_json.loads(f'"{candidate}"'))
            except ValueError:
                continue
        return partial
    if isinstance(body, Mapping) and isinstance(body.get("message"), str):
        return str(body["message"])
    return text if isinstance(body, str | int | float) else ""


def is_own_comment(user: object, bot_login: str = DEFAULT_BOT_LOGIN) -> bool:
    """Whether a comment's ``user`` object is the account archgate posts as.

    ``user.login`` must equal ``bot_login`` (case-insensitively); for a ``Bot`` user,
    ``bot_login`` may also omit the ``[bot]`` suffix (``my-app`` matches ``my-app[bot]``).
    """
    if not isinstance(user, Mapping):
        return False
    login = str(user.get("login") or "").lower()
    want = bot_login.strip().lower()
    if not login or not want:
        return False
    if login == want:
        return True
    return user.get("type") == "Bot" and login == f"{want.removesuffix('[bot]')}[bot]"
