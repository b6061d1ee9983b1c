"""Class 4 of the hostile-input suite: the GitHub client is safe by construction.

Every case runs ``archgate comment`` through the CLI's ``main([...])`` against a fake GitHub API
on 127.0.0.1: ``pytest-httpserver`` where a well-formed HTTP server is enough, a raw socket
server in a thread where the server itself misbehaves (trickling bytes, endless bodies). Every
test asserts the exit status, the message, that the token is in no output, and its own wall
time, so a hang fails instead of stalling the suite. Nothing leaves the loopback interface.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_archgate.cli import main as cli
from pytest_archgate.github.api import GitHubClient
from pytest_archgate.report.summary import comment_marker

TOKEN = "ghs_HostileGateSecret_9fK2mQ7xWv"
COMMENTS = "/repos/o/r/issues/7/comments"
MARKER = comment_marker("default")
BOT = {"login": "github-actions[bot]", "type": "Bot"}


def make_report(title: str = "Use XGBoost") -> dict[str, Any]:
    criterion = {
        "name": "roc_auc",
        "metric": "roc_auc",
        "kind": "acceptance",
        "option": "xgboost",
        "role": "decision",
        "enforced": True,
        "bound": ">= 0.9",
        "min": 0.9,
        "max": None,
        "vs": None,
        "line": 11,
        "value": 0.95,
        "ci": None,
        "method": "recorded",
        "n": None,
        "verdict": "pass",
        "reason": None,
        "tests": [],
    }
    return {
        "schema": "pytest-archgate/report",
        "version": 1,
        "generated_at": "2026-11-24T19:26:00+00:00",
        "archgate_version": "0.1.0",
        "rootdir": "/ws/repo",
        "summary": {
            "adrs": 1,
            "pass": 1,
            "fail": 0,
            "unmeasured": 0,
            "none": 0,
            "enforced_failures": 0,
            "needs_review": 0,
            "unmeasured_accepted": 0,
        },
        "adrs": [
            {
                "id": "ADR-0002",
                "title": title,
                "file": "adr/0002-model.md",
                "status": "accepted",
                "enforced": True,
                "verdict": "pass",
                "needs_review": False,
                "superseded_by": None,
                "decision": "xgboost",
                "options": ["xgboost"],
                "tests": ["test_x.py::test_xgb"],
                "failing": [],
                "unmeasured": [],
                "criteria": [criterion],
                "constraints": [],
            }
        ],
        "measurements": [],
        "environment": {},
        "errors": [],
    }


@dataclass
class Result:
    rc: int
    out: str
    err: str
    seconds: float


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(make_report()), encoding="utf-8")
    return path


@pytest.fixture
def gh_env(monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer) -> pytest.MonkeyPatch:
    """A pull-request job's environment, with the API on the loopback server."""
    for var in (
        "GITHUB_ACTIONS",
        "GITHUB_EVENT_PATH",
        "GITHUB_BASE_REF",
        "GITHUB_SHA",
        "ARCHGATE_ADR_DIR",
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "no_proxy",
        "NO_PROXY",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    return monkeypatch


@pytest.fixture
def comment(
    report: Path, gh_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Result]:
    """``archgate comment REPORT ARGS...`` in-process; the token must be in no output."""

    def run(*argv: str, report_path: Path | None = None) -> Result:
        capsys.readouterr()
        start = time.monotonic()
        rc = cli.main(["comment", str(report_path or report), *argv])
        seconds = time.monotonic() - start
        out, err = capsys.readouterr()
        assert TOKEN not in out + err
        assert TOKEN.lower() not in (out + err).lower()
        assert TOKEN[:12] not in out + err  # not even a piece of it
        assert "Traceback" not in err
        return Result(rc, out, err, seconds)

    return run


def warning_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning: archgate comment:")]


# --------------------------------------------------------------------------- raw servers


class RawServer:
    """A TCP server on 127.0.0.1 whose handler writes whatever bytes a test wants."""

    def __init__(self, handler: Callable[[socket.socket, threading.Event], None]) -> None:
        self.handler = handler
        self.stop = threading.Event()
        self.connections = 0
        self.read_first = True
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                if self.read_first:
                    read_request(conn)
                self.handler(conn, self.stop)
            except (OSError, ValueError):
                pass  # the client hung up (or refused the certificate): what these tests want

    def close(self) -> None:
        self.stop.set()
        self.acceptor.join(5)
        self.sock.close()
        for thread in self.threads:
            thread.join(5)


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Callable[[socket.socket, threading.Event], None]) -> RawServer:
        server = RawServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def other_server() -> Iterator[HTTPServer]:
    """A second API-like server on another port: another origin for redirects."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


# --------------------------------------------------------------------------- 1. https only


@pytest.mark.parametrize(
    "api_url",
    [
        "http://api.github.com",
        "HTTP://api.github.com",
        "http://192.0.2.1:8080",  # TEST-NET-1: a connect attempt would hang, not fail
        "http://0.0.0.0:9",
        "http://127.0.0.1.nip.io",
        "http://localhost.example.com",
        "http://10.0.0.1/api/v3",
        "ftp://api.github.com",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://user:pw@api.github.com",
        "https://api.github.com/x y",
        "https://api.github.com?x=1",
        "not a url",
    ],
)
def test_the_token_never_leaves_over_plain_http_or_odd_urls(
    comment: Callable[..., Result],
    gh_env: pytest.MonkeyPatch,
    httpserver: HTTPServer,
    api_url: str,
) -> None:
    gh_env.setenv("GITHUB_API_URL", api_url)
    result = comment("--pr", "7", "--timeout", "2")
    assert result.rc == 2
    assert result.err.startswith("archgate comment: error: GITHUB_API_URL: ")
    assert len(result.err.splitlines()) == 1
    assert result.out == ""
    assert result.seconds < 2  # refused before connecting
    assert httpserver.log == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_plain_http_to_loopback_is_allowed_for_tests(
    comment: Callable[..., Result], gh_env: pytest.MonkeyPatch, httpserver: HTTPServer, host: str
) -> None:
    gh_env.setenv("GITHUB_API_URL", f"http://{host}:{httpserver.port}")
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 11}, status=201)
    result = comment("--pr", "7")
    assert (result.rc, result.err) == (0, "")
    assert "created comment 11 on o/r#7" in result.out
    assert httpserver.log[0][0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_proxy_never_sees_the_plain_http_request(
    comment: Callable[..., Result],
    gh_env: pytest.MonkeyPatch,
    httpserver: HTTPServer,
    raw_server: Callable[..., RawServer],
) -> None:
    proxy = raw_server(lambda conn, stop: None)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        gh_env.setenv(var, proxy.url)
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 12}, status=201)
    result = comment("--pr", "7")
    assert result.rc == 0
    assert "created comment 12" in result.out
    assert proxy.connections == 0


# --------------------------------------------------------------------------- 2. redirects


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_an_error_not_a_success(
    comment: Callable[..., Result],
    httpserver: HTTPServer,
    other_server: HTTPServer,
    status: int,
) -> None:
    other_server.expect_request(COMMENTS).respond_with_json([])
    other_server.expect_request(COMMENTS, method="POST").respond_with_json({"id": 5}, status=201)
    elsewhere = other_server.url_for(COMMENTS)
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_data(
        "", status=status, headers={"Location": elsewhere}
    )
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "created comment" not in result.out
    assert f"GitHub answered {status}" in result.err
    assert "another host are not followed" in result.err
    assert other_server.log == []  # the token never went there
    assert result.seconds < 5


@pytest.mark.parametrize("status", [300, 303, 304, 305])
def test_other_3xx_answers_are_errors(
    comment: Callable[..., Result], httpserver: HTTPServer, status: int
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_data(
        "", status=status, headers={"Location": COMMENTS + "?page=2"}
    )
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert f"GitHub answered {status}" in result.err
    assert "is not followed" in result.err
    assert len(httpserver.log) == 1


def test_a_3xx_without_location_and_a_redirect_loop_are_errors(
    comment: Callable[..., Result], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_data("", status=302)
    result = comment("--pr", "7")
    assert result.rc == 0  # best effort without --strict, but never a success
    assert "created" not in result.out
    assert "GitHub answered 302 Found without a Location" in result.err
    httpserver.clear()
    httpserver.expect_request(COMMENTS, method="GET").respond_with_data(
        "", status=302, headers={"Location": COMMENTS}
    )
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "more than 5 times" in result.err
    assert len(httpserver.log) == 6


def test_same_origin_redirects_are_followed_with_method_and_body(
    comment: Callable[..., Result], httpserver: HTTPServer
) -> None:
    moved = "/repositories/99/issues/7/comments"
    httpserver.expect_request(COMMENTS, method="GET").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for(moved)}
    )
    httpserver.expect_request(moved, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_data(
        "", status=307, headers={"Location": moved}
    )
    httpserver.expect_request(moved, method="POST").respond_with_json({"id": 77}, status=201)
    result = comment("--pr", "7")
    assert result.rc == 0
    assert "created comment 77 on o/r#7" in result.out
    post = httpserver.log[-1][0]
    assert (post.method, post.path) == ("POST", moved)
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(post.get_data())["body"].startswith(MARKER)


@pytest.mark.parametrize(
    "answer",
    [
        b"{}",
        b'{"id": 0}',
        b'{"id": -4}',
        b'{"id": "12"}',
        b'{"id": true}',
        b'{"id": 1.5}',
        b'{"id": null}',
        b"[]",
        b'[{"id": 3}]',
        b'"created"',
        b"null",
        b"<html>ok</html>",
        b"\xff\xfe{",
        b"[" * 200_000,
        b"",
    ],
)
def test_a_created_comment_needs_a_valid_id(
    comment: Callable[..., Result], httpserver: HTTPServer, answer: bytes
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_data(
        answer, status=201, content_type="application/json"
    )
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "created comment" not in result.out
    assert result.out == ""
    assert "comment not posted to o/r#7" in result.err
    assert len(warning_lines(result.err)) == 1
    assert result.seconds < 5


@pytest.mark.parametrize("page", [b'{"message": "odd"}', b'"x"', b"7", b"", b"{"])
def test_a_comment_list_must_be_a_list(
    comment: Callable[..., Result], httpserver: HTTPServer, page: bytes
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_data(
        page, content_type="application/json"
    )
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "comment not posted" in result.err
    assert [r.method for r, _ in httpserver.log] == ["GET"]  # nothing posted after it


def test_an_edit_answered_with_another_comment_is_an_error(
    comment: Callable[..., Result], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json(
        [{"id": 42, "body": MARKER, "user": BOT}]
    )
    httpserver.expect_request("/repos/o/r/issues/comments/42", method="PATCH").respond_with_json(
        {"id": 43}
    )
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "updated" not in result.out
    assert "is not comment 42" in result.err


# --------------------------------------------------------------------------- 3. body caps


def test_an_announced_huge_body_is_not_read(
    comment: Callable[..., Result], gh_env: pytest.MonkeyPatch, raw_server: Callable[..., RawServer]
) -> None:
    def huge(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: 600000000\r\n\r\n["
        )
        stop.wait(10)

    server = raw_server(huge)
    gh_env.setenv("GITHUB_API_URL", server.url)
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "announces 600,000,000 bytes" in result.err
    assert "10,485,760-byte limit" in result.err
    assert result.seconds < 5
    assert server.connections == 1  # not retried


def test_an_endless_body_is_read_no_further_than_the_cap(
    comment: Callable[..., Result], gh_env: pytest.MonkeyPatch, raw_server: Callable[..., RawServer]
) -> None:
    sent: list[int] = []

    def endless(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
        chunk = b" " * 65536
        total = 0
        try:
            while not stop.is_set() and total < 64 * 1024 * 1024:
                conn.sendall(chunk)
                total += len(chunk)
        finally:
            sent.append(total)

    server = raw_server(endless)
    gh_env.setenv("GITHUB_API_URL", server.url)
    result = comment("--pr", "7", "--strict", "--timeout", "20")
    assert result.rc == 1
    assert "larger than the 10,485,760-byte limit" in result.err
    server.close()
    assert len(sent) == 1
    assert sent[0] < 32 * 1024 * 1024  # the client hung up soon after the cap
    assert result.seconds < 15


def test_an_error_body_is_read_only_for_its_message(
    comment: Callable[..., Result], gh_env: pytest.MonkeyPatch, raw_server: Callable[..., RawServer]
) -> None:
    def endless_error(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\n")
        conn.sendall(b"no such thing\r\n::error::injected " + b"x" * 100)
        while not stop.is_set():
            conn.sendall(b"y" * 65536)

    server = raw_server(endless_error)
    gh_env.setenv("GITHUB_API_URL", server.url)
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    (line,) = warning_lines(result.err)
    assert "HTTP 404: no such thing ::error::injected xxx" in line
    assert not any(line.startswith("::") for line in result.err.splitlines())
    assert len(line) < 800
    assert result.seconds < 5


# --------------------------------------------------------------------------- 4. deadlines


def _trickle_body(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n["
    )
    while not stop.wait(0.25):  # a byte every 0.25 s: no single read ever times out
        conn.sendall(b" ")


def _trickle_headers(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not stop.wait(0.25):
        conn.sendall(b"a")


def _trickle_status(conn: socket.socket, stop: threading.Event) -> None:
    for byte in b"HTTP/1.1 200 OK\r\n":
        if stop.wait(2):  # one byte every 2 s
            return
        conn.sendall(bytes([byte]))


def _silent(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(10)


@pytest.mark.parametrize(
    "handler", [_trickle_body, _trickle_headers, _trickle_status, _silent], ids=lambda f: f.__name__
)
def test_one_deadline_per_request_not_per_read(
    comment: Callable[..., Result],
    gh_env: pytest.MonkeyPatch,
    raw_server: Callable[..., RawServer],
    handler: Callable[[socket.socket, threading.Event], None],
) -> None:
    server = raw_server(handler)
    gh_env.setenv("GITHUB_API_URL", server.url)
    result = comment("--pr", "7", "--strict", "--timeout", "1.5")
    assert result.rc == 1
    assert "timed out: no complete answer within 1.5s" in result.err
    assert "could not be reached" in result.err
    assert 1.4 <= result.seconds < 4.5  # --timeout plus a small margin
    assert server.connections == 1  # a missed deadline is not retried


@pytest.fixture
def tls_server(
    tmp_path: Path, raw_server: Callable[..., RawServer]
) -> Callable[[Callable[[ssl.SSLSocket, threading.Event], None]], tuple[RawServer, Path]]:
    """A raw server speaking TLS with a fresh self-signed certificate for localhost."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def start(
        handler: Callable[[ssl.SSLSocket, threading.Event], None],
    ) -> tuple[RawServer, Path]:
        def tls(conn: socket.socket, stop: threading.Event) -> None:
            with context.wrap_socket(conn, server_side=True) as wrapped:
                read_request(wrapped)
                handler(wrapped, stop)

        server = raw_server(tls)
        server.read_first = False
        return server, cert

    return start


def _tls_created(conn: ssl.SSLSocket, stop: threading.Event) -> None:
    conn.sendall(
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 9\r\n"
        b'\r\n{"id": 8}'
    )


def test_a_trickling_tls_server_also_ends_at_the_deadline(
    comment: Callable[..., Result],
    gh_env: pytest.MonkeyPatch,
    tls_server: Callable[..., tuple[RawServer, Path]],
) -> None:
    server, cert = tls_server(_trickle_body)
    gh_env.setenv("SSL_CERT_FILE", str(cert))
    gh_env.setenv("GITHUB_API_URL", f"https://localhost:{server.port}")
    result = comment("--pr", "7", "--strict", "--timeout", "1.5")
    assert result.rc == 1
    assert "timed out: no complete answer within 1.5s" in result.err
    assert 1.4 <= result.seconds < 4.5


def test_an_untrusted_certificate_is_refused_without_retry(
    comment: Callable[..., Result],
    gh_env: pytest.MonkeyPatch,
    tls_server: Callable[..., tuple[RawServer, Path]],
    tmp_path: Path,
) -> None:
    server, _cert = tls_server(_tls_created)
    empty = tmp_path / "no-roots.pem"
    empty.write_text("")
    gh_env.setenv("SSL_CERT_FILE", str(empty))
    gh_env.setenv("SSL_CERT_DIR", str(tmp_path / "no-roots"))
    gh_env.setenv("GITHUB_API_URL", f"https://localhost:{server.port}")
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "TLS certificate not trusted" in result.err
    assert server.connections == 1
    assert result.seconds < 5


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "999999"},
        {"Retry-After": "1e400"},
        {"Retry-After": "inf"},
        {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9" * 40},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "inf"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 86400)},
    ],
)
def test_a_hostile_rate_limit_wait_is_not_waited_for(
    comment: Callable[..., Result], httpserver: HTTPServer, headers: dict[str, str]
) -> None:
    httpserver.expect_request(COMMENTS).respond_with_json(
        {"message": "API rate limit exceeded"}, status=429, headers=headers
    )
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "rate limited (API rate limit exceeded)" in result.err
    assert "more than this run waits" in result.err
    assert len(httpserver.log) == 1
    assert result.seconds < 3


@pytest.mark.parametrize("value", ["nan", "-5", "soon", ""])
def test_a_meaningless_retry_after_is_bounded(
    comment: Callable[..., Result], httpserver: HTTPServer, value: str
) -> None:
    httpserver.expect_oneshot_request(COMMENTS).respond_with_json(
        {"message": "slow down"}, status=429, headers={"Retry-After": value}
    )
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 3}, status=201)
    result = comment("--pr", "7", "--strict")
    assert result.rc == 0
    assert "created comment 3" in result.out
    assert result.seconds < 3


def test_no_wait_longer_than_what_is_left_of_max_time(
    comment: Callable[..., Result], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(COMMENTS).respond_with_json(
        {"message": "secondary rate limit"}, status=403, headers={"Retry-After": "5"}
    )
    result = comment("--pr", "7", "--strict", "--max-time", "2")
    assert result.rc == 1
    assert "rate limited (secondary rate limit)" in result.err
    assert "GitHub asks to wait 5s" in result.err
    assert result.seconds < 2
    assert len(httpserver.log) == 1


def test_a_short_rate_limit_wait_is_waited_out(
    comment: Callable[..., Result], httpserver: HTTPServer
) -> None:
    httpserver.expect_oneshot_request(COMMENTS).respond_with_json(
        {"message": "slow down"}, status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 4}, status=201)
    result = comment("--pr", "7", "--max-time", "30")
    assert result.rc == 0
    assert "created comment 4" in result.out
    assert 0.9 <= result.seconds < 5


def test_server_errors_are_retried_only_within_max_time(
    comment: Callable[..., Result], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(COMMENTS).respond_with_json({"message": "down"}, status=503)
    result = comment("--pr", "7", "--strict", "--max-time", "1.2")
    assert result.rc == 1
    assert "HTTP 503: down" in result.err
    assert "time budget is spent" in result.err
    assert len(httpserver.log) == 2  # one backoff of 0.5 s fits, the next of 1 s does not
    assert result.seconds < 3


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--timeout", "0"),
        ("--timeout", "-1"),
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--max-time", "0"),
        ("--max-time", "nan"),
        ("--max-time", "1e9"),
    ],
)
def test_times_must_be_sane(
    comment: Callable[..., Result], httpserver: HTTPServer, option: str, value: str
) -> None:
    result = comment("--pr", "7", option, value)
    assert result.rc == 2
    assert f"archgate comment: error: {option}: " in result.err
    assert httpserver.log == []


# --------------------------------------------------------------------------- 5. --repo, --pr


@pytest.mark.parametrize(
    "repo",
    [
        "../..",
        "o/..",
        "o/.",
        "../r",
        "o/r/x",
        "o",
        "/r",
        "o/",
        "",
        "-o/r",
        "o-/r",
        "o--x/r",
        "o_x/r",
        "o.x/r",
        "a" * 40 + "/r",
        "o/" + "r" * 101,
        "o/r%2F..",
        "o/r?x=1",
        "o/r#x",
        "o /r",
        "o/r ",
        "ö/r",
        "o/r\n",
        "o/r\x00",
        "o/\uff52",  # a full-width r
    ],
)
def test_an_invalid_repo_is_refused_before_any_request(
    comment: Callable[..., Result], httpserver: HTTPServer, repo: str
) -> None:
    result = comment("--pr", "7", f"--repo={repo}")
    assert result.rc == 2
    assert result.err.startswith("archgate comment: error: --repo: invalid repository")
    assert len(result.err.splitlines()) == 1
    assert httpserver.log == []
    result = comment("--dry-run", f"--repo={repo}")
    assert result.rc == 2


@pytest.mark.parametrize("repo", ["../..", "o/r/../../x", "o/r\n::error::x"])
def test_an_invalid_github_repository_is_refused(
    comment: Callable[..., Result], gh_env: pytest.MonkeyPatch, httpserver: HTTPServer, repo: str
) -> None:
    gh_env.setenv("GITHUB_REPOSITORY", repo)
    result = comment("--pr", "7")
    assert result.rc == 2
    assert "GITHUB_REPOSITORY: invalid repository" in result.err
    assert len(result.err.splitlines()) == 1
    assert httpserver.log == []


@pytest.mark.parametrize(
    "repo",
    ["a/b", "a-b/c.d_e-f", "A1/.github", "a" * 39 + "/" + "r" * 100, "o-x-y/r..x", "0/_"],
)
def test_valid_repo_names_reach_the_api_quoted(
    comment: Callable[..., Result], httpserver: HTTPServer, repo: str
) -> None:
    path = f"/repos/{repo}/issues/7/comments"
    httpserver.expect_request(path, method="GET").respond_with_json([])
    httpserver.expect_request(path, method="POST").respond_with_json({"id": 9}, status=201)
    result = comment("--pr", "7", "--repo", repo)
    assert result.rc == 0
    assert f"created comment 9 on {repo}#7" in result.out


@pytest.mark.parametrize("pr", ["0", "-1", "-99999999999999999999"])
def test_an_invalid_pr_number_is_refused(
    comment: Callable[..., Result], httpserver: HTTPServer, pr: str
) -> None:
    result = comment("--pr", pr)
    assert result.rc == 2
    assert "archgate comment: error: --pr: invalid pull request number" in result.err
    assert httpserver.log == []


@pytest.mark.parametrize("pr", ["x", "1.5", "7/../../x", "1e3"])
def test_a_pr_that_is_not_an_integer_is_a_usage_error(
    comment: Callable[..., Result], httpserver: HTTPServer, pr: str
) -> None:
    with pytest.raises(SystemExit) as info:
        comment("--pr", pr)
    assert info.value.code == 2
    assert httpserver.log == []


@pytest.mark.parametrize("number", ["7", -7, 0, True, 7.0, None, [7], 2**64])
def test_an_event_payload_number_that_is_not_a_positive_int_is_ignored(
    comment: Callable[..., Result],
    gh_env: pytest.MonkeyPatch,
    httpserver: HTTPServer,
    tmp_path: Path,
    number: object,
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": number, "pull_request": {"number": number}}))
    gh_env.setenv("GITHUB_EVENT_PATH", str(event))
    result = comment("--strict")
    assert result.rc == 1
    assert "no pull request number" in result.err
    assert httpserver.log == []


# --------------------------------------------------------------------------- 6. the token


def test_a_server_echoing_the_token_gets_one_clean_line(
    comment: Callable[..., Result], gh_env: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    def echo(request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        half = len(TOKEN) // 2
        split = f"{TOKEN[:half]}\x00\u200b{TOKEN[half:]}"  # split by invisible characters
        message = (
            f"Bad credentials {auth}\r\n::error::injected\x1b[31m red {TOKEN.upper()} {split}"
            + " pad" * 2000
        )
        return Response(
            json.dumps({"message": message}),
            status=401,
            content_type="application/json",
            headers={"X-Echo": TOKEN},
        )

    httpserver.expect_request(COMMENTS).respond_with_handler(echo)
    gh_env.setenv("GITHUB_ACTIONS", "true")
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    (line,) = warning_lines(result.err)
    assert "Bad credentials Bearer *** ::error::injected[31m red *** ***" in line
    assert "\x1b" not in result.err + result.out
    assert len(line) < 700  # truncated
    assert not any(ln.startswith("::error::") for ln in (result.out + result.err).splitlines())
    assert "::warning title=archgate comment::" in result.out  # the annotation, escaped


def test_a_token_cut_by_the_error_body_cap_is_not_shown_in_part(
    comment: Callable[..., Result], httpserver: HTTPServer
) -> None:
    # Plain text whose whitespace collapses, so that the cut lands inside the shown message.
    body = " " * 4060 + "oops " + TOKEN
    httpserver.expect_request(COMMENTS).respond_with_data(body, status=400)
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "HTTP 400: oops" in result.err
    assert TOKEN[:4] not in result.err


def test_a_redirect_echoing_the_token_is_scrubbed(
    comment: Callable[..., Result], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(COMMENTS).respond_with_data(
        "", status=302, headers={"Location": f"https://evil.example/?t={TOKEN}"}
    )
    result = comment("--pr", "7", "--strict")
    assert result.rc == 1
    assert "https://evil.example/?t=***" in result.err


def test_the_token_is_not_in_a_dry_run_nor_in_a_posted_comment(
    comment: Callable[..., Result], httpserver: HTTPServer, tmp_path: Path
) -> None:
    leaky = tmp_path / "leaky.json"
    leaky.write_text(json.dumps(make_report(title=f"Use XGBoost ({TOKEN})")))
    result = comment("--dry-run", report_path=leaky)
    assert result.rc == 0
    assert "Use XGBoost (\\*\\*\\*)" in result.out or "Use XGBoost (***)" in result.out
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 6}, status=201)
    result = comment("--pr", "7", report_path=leaky)
    assert result.rc == 0
    posted = httpserver.log[-1][0].get_data(as_text=True)
    assert TOKEN not in posted
    assert "***" in posted


def test_the_client_object_does_not_show_the_token(httpserver: HTTPServer) -> None:
    client = GitHubClient(TOKEN, api_url=httpserver.url_for("/").rstrip("/"))
    for text in (repr(client), str(client), repr(vars(client))):
        assert TOKEN not in text


# --------------------------------------------------------------------------- 7. dry runs


def test_dry_run_stdout_is_the_comment_body_only(
    comment: Callable[..., Result],
    gh_env: pytest.MonkeyPatch,
    httpserver: HTTPServer,
    tmp_path: Path,
) -> None:
    (tmp_path / "adr").mkdir()
    (tmp_path / "adr" / "0001-pick.md").write_text("---\nstatus: accepted\n---\n# Pick\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    gh_env.chdir(tmp_path)
    gh_env.setenv("GITHUB_ACTIONS", "true")
    gh_env.setenv("GITHUB_BASE_REF", "main")  # no origin/main here: the diff is skipped
    result = comment("--dry-run")
    assert result.rc == 0
    assert result.out.startswith(MARKER)
    assert "warning" not in result.out
    assert not any(line.startswith("::") for line in result.out.splitlines())
    assert "criteria diff against origin/main skipped" in result.err
    assert "::warning title=archgate comment::" in result.err
    assert httpserver.log == []


def test_max_time_also_cuts_a_request_short(
    comment: Callable[..., Result], gh_env: pytest.MonkeyPatch, raw_server: Callable[..., RawServer]
) -> None:
    server = raw_server(_trickle_body)
    gh_env.setenv("GITHUB_API_URL", server.url)
    result = comment("--pr", "7", "--strict", "--timeout", "30", "--max-time", "1")
    assert result.rc == 1
    assert "timed out: the 1s time budget ran out" in result.err
    assert 0.9 <= result.seconds < 4


@pytest.mark.parametrize("repo", ["../..", "owner/..", "-owner/name", "owner/na me", "a/b/c"])
def test_job_summary_links_refuse_a_repository_github_would_not_name(repo: str) -> None:
    from pytest_archgate.github.actions import link_base

    env = {"GITHUB_REPOSITORY": repo, "GITHUB_SHA": "a" * 40}
    assert link_base(env) is None
    assert link_base({**env, "GITHUB_REPOSITORY": "owner/name"}) == (
        f"https://github.com/owner/name/blob/{'a' * 40}/"
    )
