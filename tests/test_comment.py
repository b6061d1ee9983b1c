"""Tests of ``archgate comment`` against a fake GitHub API served on 127.0.0.1.

The command runs through :func:`cmd_comment` with a Namespace parsed by the module's own
``register`` on a fresh parser, and with an explicit environment, so that the tests behave the
same on a laptop and inside GitHub Actions.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_archgate.cli.comment import cmd_comment, register
from pytest_archgate.errors import CommandError, ReportError
from pytest_archgate.github.api import GitHubClient, GitHubError
from pytest_archgate.github.comment import post_or_update
from pytest_archgate.report.summary import comment_marker

TOKEN = "ghs_ArchgateCommentSecret_K3v8Pq"
BOT = {"login": "github-actions[bot]", "type": "Bot"}
HUMAN = {"login": "alice", "type": "User"}
MARKER = comment_marker("default")
COMMENTS = "/repos/o/r/issues/7/comments"


def _criterion(
    name: str, option: str, value: float | None, verdict: str, **kw: Any
) -> dict[str, Any]:
    entry = {
        "name": name,
        "metric": name,
        "kind": "acceptance",
        "option": option,
        "role": "decision",
        "enforced": True,
        "bound": ">= 0.9",
        "min": 0.9,
        "max": None,
        "vs": None,
        "line": 11,
        "value": value,
        "ci": None,
        "method": "recorded",
        "n": None,
        "verdict": verdict,
        "reason": None,
        "tests": [],
    }
    entry.update(kw)
    return entry


def make_report() -> dict[str, Any]:
    return {
        "schema": "pytest-archgate/report",
        "version": 1,
        "generated_at": "2026-11-24T19:26:00+00:00",
        "archgate_version": "0.1.0",
        "rootdir": "/ws/repo",
        "summary": {
            "adrs": 1,
            "pass": 0,
            "fail": 1,
            "unmeasured": 0,
            "none": 0,
            "enforced_failures": 1,
            "needs_review": 0,
            "unmeasured_accepted": 0,
        },
        "adrs": [
            {
                "id": "ADR-0002",
                "title": "Use XGBoost",
                "file": "adr/0002-model.md",
                "status": "accepted",
                "enforced": True,
                "verdict": "fail",
                "needs_review": False,
                "superseded_by": None,
                "decision": "xgboost",
                "options": ["xgboost"],
                "tests": ["test_x.py::test_xgb"],
                "failing": ["roc_auc"],
                "unmeasured": [],
                "criteria": [_criterion("roc_auc", "xgboost", 0.874, "fail")],
                "constraints": [],
            }
        ],
        "measurements": [],
        "environment": {},
        "errors": [],
    }


@pytest.fixture
def report_path(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(make_report()), encoding="utf-8")
    return path


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="archgate")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--adr-dir")

    register(sub, add_common)
    return parser.parse_args(["comment", *argv])


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def env(httpserver: HTTPServer) -> dict[str, str]:
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": httpserver.url_for("/").rstrip("/"),
    }


@pytest.fixture
def run(
    report_path: Path, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str, Sleeps]]:
    def go(*argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str, Sleeps]:
        sleeps = Sleeps()
        args = parse(str(report_path), *argv)
        rc = cmd_comment(args, env=env if environ is None else environ, sleep=sleeps)
        out, err = capsys.readouterr()
        assert TOKEN not in out + err
        return rc, out, err, sleeps

    return go


def _methods(httpserver: HTTPServer) -> list[str]:
    return [f"{req.method} {req.path}" for req, _ in httpserver.log]


def test_register_adds_the_comment_subcommand() -> None:
    args = parse("r.json", "--pr", "3", "--key", "gpu", "--strict", "--dry-run")
    assert (args.pr, args.key, args.strict, args.dry_run) == (3, "gpu", True, True)
    assert args.bot_login == "github-actions[bot]"
    assert args.handler is cmd_comment


def test_creates_a_comment_when_none_exists(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 101}, status=201)
    rc, out, _, _ = run("--pr", "7")
    assert rc == 0
    assert "created comment 101 on o/r#7" in out
    body = json.loads(httpserver.log[-1][0].get_data())["body"]
    assert body.startswith(MARKER)
    assert "ADR-0002" in body
    assert "1 accepted decision violated" in body
    httpserver.check_assertions()


def test_updates_its_own_comment_instead_of_adding_one(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json(
        [
            {"id": 1, "body": "LGTM", "user": HUMAN},
            {"id": 42, "body": f"{MARKER}\nold status", "user": BOT},
        ]
    )
    httpserver.expect_request("/repos/o/r/issues/comments/42", method="PATCH").respond_with_json(
        {"id": 42}
    )
    rc, out, _, _ = run("--pr", "7")
    assert rc == 0
    assert "updated comment 42" in out
    assert _methods(httpserver) == [f"GET {COMMENTS}", "PATCH /repos/o/r/issues/comments/42"]
    assert json.loads(httpserver.log[-1][0].get_data())["body"].startswith(MARKER)


def test_finds_its_comment_on_the_third_page(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    url = httpserver.url_for(COMMENTS)
    page = [{"id": i, "body": "chatter", "user": HUMAN} for i in range(30)]
    httpserver.expect_request(COMMENTS, query_string="per_page=30").respond_with_json(
        page, headers={"Link": f'<{url}?per_page=30&page=2>; rel="next"'}
    )
    httpserver.expect_request(COMMENTS, query_string="per_page=30&page=2").respond_with_json(
        page, headers={"Link": f'<{url}?per_page=30&page=3>; rel="next"'}
    )
    httpserver.expect_request(COMMENTS, query_string="per_page=30&page=3").respond_with_json(
        [{"id": 555, "body": f"{MARKER}\nstale", "user": BOT}]
    )
    httpserver.expect_request("/repos/o/r/issues/comments/555", method="PATCH").respond_with_json(
        {"id": 555}
    )
    rc, out, _, _ = run("--pr", "7")
    assert rc == 0
    assert "updated comment 555" in out
    assert [m for m in _methods(httpserver) if m.startswith("GET")] == [f"GET {COMMENTS}"] * 3


def test_does_not_edit_a_marked_comment_of_another_user(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json(
        [{"id": 13, "body": f"quoting: {MARKER}", "user": HUMAN}]
    )
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 14}, status=201)
    rc, out, _, _ = run("--pr", "7")
    assert rc == 0
    assert "created comment 14" in out
    assert "PATCH" not in " ".join(_methods(httpserver))


def test_another_key_is_another_comment(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json(
        [{"id": 21, "body": f"{MARKER}\nCPU run", "user": BOT}]
    )
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 22}, status=201)
    rc, out, _, _ = run("--pr", "7", "--key", "gpu")
    assert rc == 0
    assert "created comment 22" in out
    body = json.loads(httpserver.log[-1][0].get_data())["body"]
    assert body.startswith(comment_marker("gpu"))


def test_bot_login_option_selects_the_author(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json(
        [{"id": 31, "body": MARKER, "user": {"login": "archgate-app[bot]", "type": "Bot"}}]
    )
    httpserver.expect_request("/repos/o/r/issues/comments/31", method="PATCH").respond_with_json(
        {"id": 31}
    )
    rc, out, _, _ = run("--pr", "7", "--bot-login", "archgate-app")
    assert rc == 0
    assert "updated comment 31" in out


def test_forbidden_fork_token_warns_and_exits_0(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    rc, out, err, sleeps = run("--pr", "7")
    assert rc == 0
    assert err.startswith("warning: archgate comment:")
    assert "HTTP 403" in err
    assert "fork" in err
    assert "::warning" not in out  # not on Actions
    assert sleeps == []


def test_forbidden_with_strict_exits_1_and_annotates_on_actions(
    httpserver: HTTPServer,
    run: Callable[..., tuple[int, str, str, Sleeps]],
    env: dict[str, str],
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    rc, out, err, _ = run("--pr", "7", "--strict", environ={**env, "GITHUB_ACTIONS": "true"})
    assert rc == 1
    assert "warning: archgate comment" in err
    assert "::warning title=archgate comment::" in out


def test_server_error_is_retried_then_succeeds(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_oneshot_request(COMMENTS, method="GET").respond_with_json(
        {"message": "Server Error"}, status=500
    )
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 5}, status=201)
    rc, out, err, sleeps = run("--pr", "7")
    assert rc == 0
    assert "created comment 5" in out
    assert err == ""
    assert sleeps == [0.5]


def test_server_errors_after_retries_warn(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS).respond_with_json({"message": "down"}, status=502)
    rc, _, err, sleeps = run("--pr", "7")
    assert rc == 0
    assert "HTTP 502" in err
    assert "unavailable" in err
    assert len(sleeps) == 3


def test_rate_limit_with_retry_after_is_waited_out(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_oneshot_request(COMMENTS, method="POST").respond_with_json(
        {"message": "secondary rate limit"}, status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 8}, status=201)
    rc, out, _, sleeps = run("--pr", "7")
    assert rc == 0
    assert "created comment 8" in out
    assert sleeps == [3.0]


def test_rate_limit_beyond_the_cap_warns(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    httpserver.expect_request(COMMENTS).respond_with_json(
        {"message": "API rate limit exceeded"},
        status=403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 3000)},
    )
    rc, _, err, sleeps = run("--pr", "7")
    assert rc == 0
    assert "rate limit" in err
    assert sleeps == []


def test_timeout_warns(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.2)
        return Response("[]", content_type="application/json")

    httpserver.expect_request(COMMENTS).respond_with_handler(slow)
    rc, _, err, sleeps = run("--pr", "7", "--timeout", "0.03")
    assert rc == 0
    assert "timed out" in err
    assert "could not be reached" in err
    assert sleeps == []  # a request that missed its deadline is not sent again


def test_token_never_printed_even_when_the_server_echoes_it(
    httpserver: HTTPServer,
    run: Callable[..., tuple[int, str, str, Sleeps]],
    env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    def echo(request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        return Response(
            json.dumps({"message": f"Bad credentials {auth}"}),
            status=401,
            content_type="application/json",
        )

    httpserver.expect_request(COMMENTS).respond_with_handler(echo)
    for extra in ([], ["--strict"]):
        rc, out, err, _ = run("--pr", "7", *extra, environ={**env, "GITHUB_ACTIONS": "true"})
        assert "Bad credentials" in err
        assert "***" in err
        assert TOKEN not in out + err  # also asserted by run()
    assert rc == 1
    client = GitHubClient(TOKEN, api_url=env["GITHUB_API_URL"], sleep=lambda s: None)
    with pytest.raises(GitHubError) as info:
        post_or_update(client, "o/r", 7, "body", "default", "github-actions[bot]")
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)
    out, err = capsys.readouterr()
    assert TOKEN not in out + err


def test_pr_number_and_head_sha_from_the_event_payload(
    httpserver: HTTPServer,
    run: Callable[..., tuple[int, str, str, Sleeps]],
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 7, "pull_request": {"number": 7, "head": {"sha": sha}}}))
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 3}, status=201)
    environ = {
        **env,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SHA": "f" * 40,  # the merge commit: links must use the head commit instead
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_WORKSPACE": "/ws",
    }
    rc, out, _, _ = run(environ=environ)
    assert rc == 0
    assert "o/r#7" in out
    body = json.loads(httpserver.log[-1][0].get_data())["body"]
    assert f"(https://github.example/o/r/blob/{sha}/repo/adr/0002-model.md)" in body


def test_pr_number_from_a_top_level_number(
    httpserver: HTTPServer,
    run: Callable[..., tuple[int, str, str, Sleeps]],
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 7, "action": "synchronize"}))
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json([])
    httpserver.expect_request(COMMENTS, method="POST").respond_with_json({"id": 4}, status=201)
    rc, out, _, _ = run(environ={**env, "GITHUB_EVENT_PATH": str(event)})
    assert rc == 0
    assert "created comment 4" in out


def test_dry_run_prints_the_body_and_sends_nothing(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    rc, out, err, _ = run("--dry-run", environ={})
    assert rc == 0
    assert err == ""
    assert out.startswith(MARKER)
    assert "ADR-0002" in out
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("missing", "needle"),
    [("GITHUB_TOKEN", "GITHUB_TOKEN"), ("GITHUB_REPOSITORY", "repository")],
)
def test_missing_token_or_repo_warns(
    httpserver: HTTPServer,
    run: Callable[..., tuple[int, str, str, Sleeps]],
    env: dict[str, str],
    missing: str,
    needle: str,
) -> None:
    environ = {k: v for k, v in env.items() if k != missing}
    rc, _, err, _ = run("--pr", "7", environ=environ)
    assert rc == 0
    assert needle in err
    assert "not posted" in err
    rc, _, err, _ = run("--pr", "7", "--strict", environ=environ)
    assert rc == 1
    assert httpserver.log == []


def test_missing_pr_number_warns(
    httpserver: HTTPServer, run: Callable[..., tuple[int, str, str, Sleeps]]
) -> None:
    rc, _, err, _ = run()
    assert rc == 0
    assert "no pull request number" in err
    assert run("--strict")[0] == 1
    assert httpserver.log == []


def test_user_errors_raise_one_line_errors(
    run: Callable[..., tuple[int, str, str, Sleeps]], tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="--key"):
        run("--key", "bad key -->", "--dry-run")
    with pytest.raises(CommandError, match="OWNER/NAME"):
        run("--repo", "not a repo", "--pr", "1")
    with pytest.raises(CommandError, match="pull request number"):
        run("--pr", "0")
    with pytest.raises(ReportError, match="not found"):
        run("--base-report", str(tmp_path / "missing.json"), "--dry-run")
    bad = tmp_path / "diff.json"
    bad.write_text("{nope")
    with pytest.raises(ReportError, match="not valid JSON"):
        run("--diff", str(bad), "--dry-run")


def test_base_report_and_diff_appear_in_the_body(
    run: Callable[..., tuple[int, str, str, Sleeps]], tmp_path: Path
) -> None:
    base = make_report()
    base["adrs"][0]["criteria"][0].update(value=0.91, verdict="pass")
    base_path = tmp_path / "base.json"
    base_path.write_text(json.dumps(base))
    diff_path = tmp_path / "diff.json"
    diff_path.write_text(
        json.dumps(
            {
                "changes": [
                    {
                        "adr": "ADR-0002",
                        "kind": "loosened",
                        "criterion": "roc_auc",
                        "before": ">= 0.95",
                        "after": ">= 0.9",
                    }
                ]
            }
        )
    )
    rc, out, _, _ = run("--dry-run", "--base-report", str(base_path), "--diff", str(diff_path))
    assert rc == 0
    assert "### Criteria changed in this PR" in out
    assert "| ADR-0002 | ⚠️ loosened | roc\\_auc | &gt;= 0.95 | &gt;= 0.9 |" in out
    assert "### Compared with the base run" in out
    assert "| 0.91 | 0.874 | -0.036 | **pass → fail** |" in out
