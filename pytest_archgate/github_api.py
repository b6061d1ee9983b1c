"""The one module that talks HTTP: a small GitHub REST client on ``urllib.request``.

ADR-0004 chose the standard library so that installing the plugin pulls no HTTP dependency
into every test environment; keeping the client here means tests can point it at a local
server (``GITHUB_API_URL``) and a later switch touches one file.

What it adds to ``urllib``: GitHub's headers, JSON bodies, bounded exponential backoff on 5xx,
timeouts and connection errors, waiting out rate limits (``Retry-After`` or
``X-RateLimit-Remaining: 0`` with ``X-RateLimit-Reset``, up to ``max_wait`` seconds), ``Link``
header pagination, and errors that never contain the token.

Who wrote a comment: ``GET /user`` is not available to the ``GITHUB_TOKEN`` of a workflow (an
app installation token), so callers cannot ask the API who they are. :func:`is_own_comment`
instead compares the comment's ``user.login`` with a configured login (``github-actions[bot]``
by default); a ``Bot`` user also matches the login without its ``[bot]`` suffix.
"""

from __future__ import annotations

import email.utils
import http.client
import json as _json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .errors import ArchgateError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_BOT_LOGIN = "github-actions[bot]"
API_VERSION = "2022-11-28"

_LINK_RE = re.compile(r'<([^>]*)>\s*;\s*rel="?([^",;]*)"?')


class GitHubError(ArchgateError):
    """A GitHub API request failed. ``status`` is the HTTP status, or ``None`` when no response
    arrived (timeout, connection refused). The message never contains the token."""

    def __init__(self, status: int | None, message: str, *, rate_limited: bool = False) -> None:
        self.status = status
        self.rate_limited = rate_limited
        super().__init__(message)


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret else text


class GitHubClient:
    """A minimal GitHub REST client.

    ``request`` returns ``(status, headers, body)`` for a 2xx/3xx response, where ``headers``
    has lower-case names and ``body`` is the decoded JSON (``None`` when empty, the text when
    not JSON); any other outcome raises :class:`GitHubError` once retries are spent.
    ``sleep`` and ``clock`` are injectable so that tests of retries run instantly.
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
        clock: Callable[[], float] = time.time,
    ) -> None:
        from . import __version__

        parsed = urllib.parse.urlsplit(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise GitHubError(None, f"invalid GitHub API URL {api_url!r}")
        token = token.strip()
        if not token or any(not ("!" <= ch <= "~") for ch in token):
            # http.client would echo an invalid header value (the token) in its ValueError.
            raise GitHubError(None, "the token is empty or has characters invalid in a header")
        self._token = token
        self.api_url = api_url.rstrip("/")
        self._origin = (parsed.scheme, parsed.netloc.lower())
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.max_pages = max_pages
        self.sleep = sleep
        self.clock = clock
        self.user_agent = f"pytest-archgate/{__version__}"
        # Redirects are followed, but the token is an "unredirected" header: never forwarded.
        self._opener = urllib.request.build_opener()

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self.api_url!r})"

    # ------------------------------------------------------------------ helpers

    def scrub(self, text: str) -> str:
        """``text`` with the token replaced by ``***``."""
        return _scrub(text, self._token)

    def _error(
        self, status: int | None, message: str, *, rate_limited: bool = False
    ) -> GitHubError:
        return GitHubError(status, self.scrub(message), rate_limited=rate_limited)

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            parsed = urllib.parse.urlsplit(path_or_url)
            if (parsed.scheme, parsed.netloc.lower()) != self._origin:
                # Never send the token to a host other than the configured API.
                raise self._error(None, f"refusing to follow a URL outside {self.api_url}")
            return path_or_url
        return self.api_url + "/" + path_or_url.lstrip("/")

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * (2**attempt)))

    def _rate_limit_wait(
        self, status: int, headers: Mapping[str, str], attempt: int
    ) -> tuple[bool, float | None]:
        """``(is_rate_limit, seconds to wait or None when too long)``."""
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            wait = _parse_retry_after(retry_after, self.clock())
            if wait is None:
                wait = self._backoff(attempt)
            return True, (wait if wait <= self.max_wait else None)
        if headers.get("x-ratelimit-remaining") == "0":
            try:
                reset = float(headers.get("x-ratelimit-reset", ""))
            except ValueError:
                return True, self._backoff(attempt)
            wait = max(0.0, reset - self.clock()) + 1.0
            return True, (wait if wait <= self.max_wait else None)
        if status == 429:
            return True, self._backoff(attempt)
        return False, None

    # ------------------------------------------------------------------ requests

    def request(
        self, method: str, path_or_url: str, json: Any = None
    ) -> tuple[int, dict[str, str], Any]:
        """Send one request (with retries); see the class docstring for the result."""
        url = self._url(path_or_url)
        shown = f"{method} {urllib.parse.urlsplit(url).path}"
        data = None if json is None else _json.dumps(json).encode("utf-8")
        attempt = 0
        while True:
            req = urllib.request.Request(url, data=data, method=method)
            req.add_unredirected_header("Authorization", f"Bearer {self._token}")
            req.add_header("Accept", "application/vnd.github+json")
            req.add_header("X-GitHub-Api-Version", API_VERSION)
            req.add_header("User-Agent", self.user_agent)
            if data is not None:
                req.add_header("Content-Type", "application/json; charset=utf-8")
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    status = int(resp.status)
                    headers = {k.lower(): v for k, v in resp.headers.items()}
                    raw = resp.read()
            except urllib.error.HTTPError as exc:
                status = int(exc.code)
                headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
                try:
                    raw = exc.read()
                except (OSError, http.client.HTTPException):
                    raw = b""
                finally:
                    exc.close()
            except ValueError as exc:  # a malformed URL or header: not worth retrying
                raise self._error(None, f"{shown}: invalid request ({exc})") from None
            except (OSError, http.client.HTTPException) as exc:  # timeouts, refused, reset
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError | socket.timeout):
                    why = f"timed out after {self.timeout:g}s"
                else:
                    why = f"connection failed ({type(reason).__name__}: {reason})"
                if attempt < self.max_retries:
                    self.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise self._error(None, f"{shown}: {why} after {attempt + 1} attempt(s)") from None

            body = _decode(raw, headers.get("content-type", ""))
            if status < 400:
                return status, headers, body

            message = _message(body) or http.client.responses.get(status, "error")
            is_rate, wait = (
                self._rate_limit_wait(status, headers, attempt)
                if status in (403, 429)
                else (False, None)
            )
            if status >= 500 and attempt < self.max_retries:
                self.sleep(self._backoff(attempt))
                attempt += 1
                continue
            if is_rate and wait is not None and attempt < self.max_retries:
                self.sleep(wait)
                attempt += 1
                continue
            if is_rate:
                message = f"rate limited ({message})"
                reset = headers.get("x-ratelimit-reset")
                if wait is None and reset and reset.isdigit():
                    when = time.strftime("%H:%M:%S UTC", time.gmtime(int(reset)))
                    message += f"; the limit resets at {when}"
            tries = f" after {attempt + 1} attempts" if attempt else ""
            raise self._error(
                status, f"{shown}: HTTP {status}: {message}{tries}", rate_limited=is_rate
            )

    def paginate(self, path: str) -> Iterator[Any]:
        """Yield the items of a list endpoint, following ``Link: <...>; rel="next"``."""
        url: str | None = path
        pages = 0
        while url is not None:
            pages += 1
            if pages > self.max_pages:
                raise self._error(None, f"GET {path}: more than {self.max_pages} pages")
            status, headers, body = self.request("GET", url)
            if not isinstance(body, list):
                raise self._error(status, f"GET {path}: expected a JSON list")
            yield from body
            url = next_link(headers.get("link", ""))


def next_link(link_header: str) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    for target, rels in _LINK_RE.findall(link_header or ""):
        if "next" in rels.split():
            return str(target)
    return None


def _parse_retry_after(value: str, now: float) -> float | None:
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type or text[:1] in ("{", "["):
        try:
            return _json.loads(text)
        except ValueError:
            return text
    return text


def _message(body: Any) -> str:
    if isinstance(body, Mapping) and isinstance(body.get("message"), str):
        return " ".join(str(body["message"]).split())[:300]
    if isinstance(body, str):
        return " ".join(body.split())[:200]
    return ""


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
