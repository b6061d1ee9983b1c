"""Tests of pytest_archgate.github.api against a real HTTP server on 127.0.0.1.

``pytest-httpserver`` plays the GitHub API; retries use an injected ``sleep`` that records the
waits instead of sleeping, so the backoff and rate-limit rules are checked exactly and fast.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_archgate.errors import ArchgateError, CommandError
from pytest_archgate.github.api import (
    API_VERSION,
    GitHubClient,
    GitHubError,
    is_own_comment,
    next_link,
)

TOKEN = "ghs_ArchgateApiSecret_7Q2x9Zk"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(httpserver: HTTPServer, sleeps: Sleeps) -> Callable[..., GitHubClient]:
    def make(**kwargs: object) -> GitHubClient:
        kwargs.setdefault("sleep", sleeps)
        return GitHubClient(TOKEN, api_url=httpserver.url_for("/").rstrip("/"), **kwargs)  # type: ignore[arg-type]

    return make


def test_request_sends_github_headers_and_json(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient]
) -> None:
    httpserver.expect_request(
        "/repos/o/r/issues/1/comments",
        method="POST",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        },
        json={"body": "hi"},
    ).respond_with_json({"id": 9}, status=201, headers={"X-Custom": "yes"})
    status, headers, body = make_client().request(
        "POST", "/repos/o/r/issues/1/comments", json={"body": "hi"}
    )
    assert (status, body) == (201, {"id": 9})
    assert headers["x-custom"] == "yes"
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("pytest-archgate/")


def test_paginate_follows_link_headers_across_three_pages(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient]
) -> None:
    url = httpserver.url_for("/items")
    httpserver.expect_request("/items", query_string="per_page=2").respond_with_json(
        [1, 2],
        headers={"Link": f'<{url}?per_page=2&page=2>; rel="next", <{url}?page=3>; rel="last"'},
    )
    httpserver.expect_request("/items", query_string="per_page=2&page=2").respond_with_json(
        [3, 4], headers={"Link": f'<{url}?per_page=2&page=3>; rel="next"'}
    )
    httpserver.expect_request("/items", query_string="per_page=2&page=3").respond_with_json(
        [5], headers={"Link": f'<{url}?per_page=2&page=1>; rel="first"'}
    )
    assert list(make_client().paginate("/items?per_page=2")) == [1, 2, 3, 4, 5]
    assert len(httpserver.log) == 3


def test_paginate_refuses_a_next_link_to_another_host(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient]
) -> None:
    httpserver.expect_request("/items").respond_with_json(
        [1], headers={"Link": '<https://evil.example/steal?page=2>; rel="next"'}
    )
    with pytest.raises(GitHubError, match="outside"):
        list(make_client().paginate("/items"))


def test_paginate_rejects_a_non_list_page(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient]
) -> None:
    httpserver.expect_request("/items").respond_with_json({"message": "odd"})
    with pytest.raises(GitHubError, match="expected a JSON list"):
        list(make_client().paginate("/items"))


def test_5xx_is_retried_with_exponential_backoff(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_json({"message": "boom"}, status=502)
    httpserver.expect_oneshot_request("/x").respond_with_json({"message": "boom"}, status=500)
    httpserver.expect_request("/x").respond_with_json({"ok": True})
    status, _, body = make_client().request("GET", "/x")
    assert (status, body) == (200, {"ok": True})
    assert sleeps == [0.5, 1.0]


def test_5xx_gives_up_after_max_retries(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    httpserver.expect_request("/x").respond_with_json({"message": "down"}, status=503)
    with pytest.raises(GitHubError) as info:
        make_client(max_retries=3, backoff=1.0, max_backoff=3.0).request("GET", "/x")
    assert info.value.status == 503
    assert "down" in str(info.value)
    assert "4 attempts" in str(info.value)
    assert sleeps == [1.0, 2.0, 3.0]  # bounded by max_backoff
    assert len(httpserver.log) == 4


def test_429_waits_for_retry_after(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_json(
        {"message": "slow down"}, status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request("/x").respond_with_json({"ok": 1})
    assert make_client().request("GET", "/x")[2] == {"ok": 1}
    assert sleeps == [7.0]


def test_403_secondary_rate_limit_with_retry_after_is_retried(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_json(
        {"message": "You have exceeded a secondary rate limit"},
        status=403,
        headers={"Retry-After": "2"},
    )
    httpserver.expect_request("/x").respond_with_json([])
    assert make_client().request("GET", "/x")[0] == 200
    assert sleeps == [2.0]


def test_403_primary_rate_limit_waits_until_reset(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    now = 1_800_000_000.0
    httpserver.expect_oneshot_request("/x").respond_with_json(
        {"message": "API rate limit exceeded"},
        status=403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(now) + 5)},
    )
    httpserver.expect_request("/x").respond_with_json({})
    make_client(clock=lambda: now).request("GET", "/x")
    assert sleeps == [6.0]  # until the reset, plus a second of margin


def test_rate_limit_longer_than_the_cap_is_not_waited_for(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    now = 1_800_000_000.0
    httpserver.expect_request("/x").respond_with_json(
        {"message": "API rate limit exceeded"},
        status=403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(now) + 3600)},
    )
    with pytest.raises(GitHubError) as info:
        make_client(clock=lambda: now, max_wait=60).request("GET", "/x")
    assert info.value.rate_limited
    assert info.value.status == 403
    assert "rate limited" in str(info.value)
    assert "resets at" in str(info.value)
    assert sleeps == []
    assert len(httpserver.log) == 1


def test_retry_after_as_http_date(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    now = 1_800_000_000.0
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 30))
    httpserver.expect_oneshot_request("/x").respond_with_json(
        {}, status=429, headers={"Retry-After": date}
    )
    httpserver.expect_request("/x").respond_with_json({})
    make_client(clock=lambda: now).request("GET", "/x")
    assert sleeps == [30.0]


def test_plain_403_is_not_retried(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    httpserver.expect_request("/x").respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    with pytest.raises(GitHubError, match="Resource not accessible") as info:
        make_client().request("GET", "/x")
    assert info.value.status == 403
    assert not info.value.rate_limited
    assert sleeps == []
    assert isinstance(info.value, ArchgateError)


def test_404_is_an_error_without_retry(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    httpserver.expect_request("/x").respond_with_json({"message": "Not Found"}, status=404)
    with pytest.raises(GitHubError, match="HTTP 404: Not Found"):
        make_client().request("GET", "/x")
    assert sleeps == []


def test_timeout_is_reported_without_retry(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient], sleeps: Sleeps
) -> None:
    # The server may still be working on a request that missed its deadline: a retried POST
    # could add a second comment, so the deadline ends the request.
    def slow(request: Request) -> Response:
        time.sleep(0.3)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(GitHubError, match="timed out") as info:
        make_client(timeout=0.05, max_retries=1).request("GET", "/slow")
    assert info.value.status is None
    assert sleeps == []


def test_connection_refused_is_retried_then_reported(sleeps: Sleeps) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = GitHubClient(TOKEN, api_url=f"http://127.0.0.1:{port}", max_retries=2, sleep=sleeps)
    with pytest.raises(GitHubError, match="connection failed") as info:
        client.request("GET", "/x")
    assert info.value.status is None
    assert sleeps == [0.5, 1.0]


def test_token_never_appears_in_errors(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient]
) -> None:
    def echo(request: Request) -> Response:
        # A hostile or buggy server echoing the credentials back.
        auth = request.headers.get("Authorization", "")
        return Response(
            json.dumps({"message": f"Bad credentials: {auth}"}),
            status=401,
            content_type="application/json",
        )

    httpserver.expect_request("/x").respond_with_handler(echo)
    client = make_client()
    with pytest.raises(GitHubError) as info:
        client.request("GET", "/x")
    assert "Bad credentials" in str(info.value)
    for text in (str(info.value), repr(info.value), info.value.message, repr(client)):
        assert TOKEN not in text
    assert "***" in str(info.value)


def test_invalid_api_url_is_refused() -> None:
    with pytest.raises(CommandError, match="GITHUB_API_URL: invalid GitHub API URL"):
        GitHubClient(TOKEN, api_url="ftp://example.com")


@pytest.mark.parametrize("token", ["", "  ", f"{TOKEN}\nX-Injected: 1", f"{TOKEN} extra"])
def test_invalid_token_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(GitHubError, match="token is empty or has characters") as info:
        GitHubClient(token)
    assert TOKEN not in str(info.value)


def test_surrounding_whitespace_of_the_token_is_ignored(
    httpserver: HTTPServer, sleeps: Sleeps
) -> None:
    httpserver.expect_request("/x", headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_json(
        {}
    )
    client = GitHubClient(f" {TOKEN}\n", api_url=httpserver.url_for("/").rstrip("/"), sleep=sleeps)
    assert client.request("GET", "/x")[0] == 200


def test_next_link_parsing() -> None:
    header = (
        '<https://api.github.com/x?page=1>; rel="prev", '
        '<https://api.github.com/x?page=3>; rel="next", '
        '<https://api.github.com/x?page=9>; rel="last"'
    )
    assert next_link(header) == "https://api.github.com/x?page=3"
    assert next_link('<https://api.github.com/x?page=9>; rel="last"') is None
    assert next_link("") is None


@pytest.mark.parametrize(
    ("user", "login", "expected"),
    [
        ({"login": "github-actions[bot]", "type": "Bot"}, "github-actions[bot]", True),
        ({"login": "GitHub-Actions[bot]", "type": "Bot"}, "github-actions[bot]", True),
        ({"login": "my-app[bot]", "type": "Bot"}, "my-app", True),
        ({"login": "my-app", "type": "User"}, "my-app[bot]", False),
        ({"login": "alice", "type": "User"}, "github-actions[bot]", False),
        ({"login": "alice", "type": "User"}, "alice", True),
        ({"login": "mallory[bot]", "type": "Bot"}, "github-actions[bot]", False),
        (None, "github-actions[bot]", False),
        ({"type": "Bot"}, "github-actions[bot]", False),
    ],
)
def test_is_own_comment(user: object, login: str, expected: bool) -> None:
    assert is_own_comment(user, login) is expected


@pytest.mark.parametrize(
    "url", ["http://[::1]:8080", "http://127.9.9.9:1", "http://LOCALHOST:1/api/v3/", "https://h"]
)
def test_loopback_http_and_any_https_url_are_accepted(url: str) -> None:
    assert GitHubClient(TOKEN, api_url=url).api_url == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://example.com", "http://[::2]:1", "http://127.0.0.1.x"])
def test_plain_http_elsewhere_is_refused_naming_the_setting(url: str) -> None:
    with pytest.raises(CommandError, match=r"^GITHUB_API_URL: refusing to send the token"):
        GitHubClient(TOKEN, api_url=url)


def test_a_truncated_error_body_still_yields_its_message(
    httpserver: HTTPServer, make_client: Callable[..., GitHubClient]
) -> None:
    body = json.dumps({"message": "Validation\nFailed \u00e9", "errors": ["x" * 9000]})
    httpserver.expect_request("/x").respond_with_data(body, status=422)
    with pytest.raises(GitHubError) as info:
        make_client().request("GET", "/x")
    assert str(info.value) == "GET /x: HTTP 422: Validation Failed \u00e9"
