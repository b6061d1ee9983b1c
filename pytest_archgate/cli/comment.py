"""``archgate comment``: the command line of the sticky pull-request comment.

Argument checking and the best-effort posting policy (warnings, exit statuses) live here; the
comment itself is rendered by :mod:`pytest_archgate.report.summary` and posted by
:func:`pytest_archgate.github.comment.post_or_update`.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pytest_archgate import escape
from pytest_archgate.errors import ArchgateError, CommandError
from pytest_archgate.github.actions import (
    annotate,
    format_command,
    link_base,
    read_event,
    repo_prefix,
)
from pytest_archgate.github.api import (
    DEFAULT_API_URL,
    DEFAULT_BOT_LOGIN,
    GitHubClient,
    GitHubError,
    validate_number,
    validate_repo,
)
from pytest_archgate.github.comment import post_or_update
from pytest_archgate.report.load import load_json, load_report
from pytest_archgate.report.summary import comment_marker, render_comment


def register(
    subparsers: Any, add_common: Callable[[argparse.ArgumentParser], None]
) -> argparse.ArgumentParser:
    """Add the ``comment`` subcommand to an ``argparse`` subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "comment",
        help="post or update the ADR status comment on a pull request",
        description=(
            "Post the ADR status of a report as one pull-request comment, or update the "
            "comment an earlier run posted. Needs GITHUB_TOKEN; the repository and pull "
            "request come from GITHUB_REPOSITORY and the event payload unless given."
        ),
    )
    add_common(p)
    p.add_argument("report", metavar="REPORT.json", help="a report written by --archgate-report")
    p.add_argument("--pr", type=int, metavar="N", help="pull request number (default: the event's)")
    p.add_argument("--repo", metavar="OWNER/NAME", help="repository (default: $GITHUB_REPOSITORY)")
    p.add_argument(
        "--key",
        default="default",
        metavar="K",
        help="which comment to update: one comment per key (default: default)",
    )
    p.add_argument(
        "--base-report",
        metavar="B.json",
        help="a report of the base branch: adds a table of value changes",
    )
    p.add_argument(
        "--diff",
        metavar="DIFF.json",
        help="criteria changed in this pull request (JSON, as written by archgate diff)",
    )
    p.add_argument(
        "--diff-base",
        metavar="REF",
        help="compute the criteria changed since git revision REF (default on pull requests: "
        "origin/$GITHUB_BASE_REF when that ref exists; ignored when --diff is given)",
    )
    p.add_argument(
        "--history",
        action="append",
        metavar="PATH",
        help="reports of past runs (a file or a folder; repeatable): add each criterion's "
        "trend, with this report as the latest run",
    )
    p.add_argument("--dry-run", action="store_true", help="print the comment body; send no request")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when the comment cannot be posted (default: warn and exit 0)",
    )
    p.add_argument(
        "--bot-login",
        default=DEFAULT_BOT_LOGIN,
        metavar="L",
        help="login that posts the comment; only its comments are edited (default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="deadline of each API request: connect, headers and body together (default: 10)",
    )
    p.add_argument(
        "--max-time",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="overall time limit of the API requests, retries and rate-limit waits included "
        "(default: 120)",
    )
    p.set_defaults(handler=cmd_comment)
    return p


def _load_json(path: str, what: str) -> Any:
    return load_json(path, what=what)


def _pr_number(args: argparse.Namespace, env: Mapping[str, str]) -> int | None:
    if args.pr is not None:
        return validate_number(args.pr, "--pr")
    event = read_event(env)
    pr = event.get("pull_request")
    number = pr.get("number") if isinstance(pr, Mapping) else None
    issue = event.get("issue")
    if number is None and isinstance(issue, Mapping) and "pull_request" in issue:
        number = issue.get("number")  # an issue_comment event on a pull request
    if number is None:
        number = event.get("number")
    if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**63:
        return number
    return None


def _hint(exc: GitHubError) -> str:
    if exc.rate_limited:
        return "GitHub's rate limit was hit; the comment will be posted by a later run"
    if exc.status == 401:
        return "the token was rejected (expired or revoked?)"
    if exc.status == 403:
        return (
            "the token may not write to this pull request (pull requests from forks get a "
            "read-only GITHUB_TOKEN; the job needs `permissions: pull-requests: write`)"
        )
    if exc.status == 404:
        return "repository or pull request not found, or the token cannot see it"
    if exc.status is not None and exc.status >= 500:
        return "the GitHub API is unavailable; retries were spent"
    if exc.status is None:
        return "the GitHub API could not be reached"
    return ""


def _warn(message: str, env: Mapping[str, str], *, stdout: bool = True) -> None:
    """A warning line on stderr, and an annotation on GitHub Actions.

    With ``stdout=False`` (``--dry-run``, whose stdout is the comment body) the annotation
    goes to stderr too; the runner reads workflow commands from both streams.
    """
    print(escape.line(f"warning: archgate comment: {message}"), file=sys.stderr)
    if env.get("GITHUB_ACTIONS") == "true":
        if stdout:
            annotate("warning", message, title="archgate comment")
        else:
            print(format_command("warning", message, title="archgate comment"), file=sys.stderr)


def _own_diff(
    args: argparse.Namespace, env: Mapping[str, str], *, stdout: bool = True
) -> dict[str, Any] | None:
    """The criteria diff computed from git, when a base revision is known (best effort)."""
    ref = getattr(args, "diff_base", None)
    explicit = ref is not None
    if ref is None and env.get("GITHUB_BASE_REF"):
        ref = f"origin/{env['GITHUB_BASE_REF']}"
    if ref is None:
        return None
    from pytest_archgate.adr.config import resolve_adr_dir
    from pytest_archgate.authoring.diff import diff_against

    adr_dir, _root = resolve_adr_dir(getattr(args, "adr_dir", None))
    if adr_dir is None:
        return None
    try:
        return diff_against(ref, adr_dir, cwd=Path.cwd()).to_json()
    except ArchgateError as exc:
        if explicit:
            raise
        _warn(f"criteria diff against {ref} skipped: {exc}", env, stdout=stdout)
        return None


def _seconds_option(value: float, option: str, most: float) -> float:
    if not (math.isfinite(value) and 0 < value <= most):
        raise CommandError(
            f"{value:g} is not a number of seconds between 0 and {most:g}", field=option
        )
    return value


def _scrubbed(text: str, token: str) -> str:
    """``text`` without the token; tokens of fewer than 8 characters are not real ones."""
    return text.replace(token, "***") if len(token) >= 8 else text


def cmd_comment(
    args: argparse.Namespace,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``archgate comment``; ``env`` and ``sleep`` are injectable for tests.

    Every argument is checked before any request: the repository (``--repo`` or
    ``GITHUB_REPOSITORY``), the pull request number, the times, and ``GITHUB_API_URL``
    (https://, or http:// to a loopback host only).
    """
    env = os.environ if env is None else env
    timeout = _seconds_option(args.timeout, "--timeout", 3600)
    max_time = _seconds_option(getattr(args, "max_time", 120.0), "--max-time", 86400)
    token = env.get("GITHUB_TOKEN", "").strip()
    stdout = not args.dry_run
    report = load_report(args.report)
    base = load_report(args.base_report) if args.base_report else None
    diff = _load_json(args.diff, "diff") if args.diff else _own_diff(args, env, stdout=stdout)
    history = None
    if getattr(args, "history", None):
        from pytest_archgate.cli.history import read_history

        args.history_paths = args.history
        try:
            history = read_history(args, extra=[(str(args.report), report)])
        except ArchgateError as exc:  # the trend is extra: the comment goes out without it
            _warn(f"history not shown: {exc}", env, stdout=stdout)
    comment_marker(args.key)  # validate before anything is sent

    if args.repo is not None:
        validate_repo(args.repo, "--repo")
        repo = args.repo
    else:
        repo = env.get("GITHUB_REPOSITORY", "").strip()
        if repo:
            validate_repo(repo, "GITHUB_REPOSITORY")
    links = link_base({**env, "GITHUB_REPOSITORY": repo}, repo_prefix(report, env))
    body = render_comment(
        report, base=base, diff=diff, key=args.key, link_base=links, history=history
    )
    body = _scrubbed(body, token)  # a report may quote the environment: never publish the token

    if args.dry_run:
        for text in escape.lines(body):
            print(text)
        return 0

    fail = 1 if args.strict else 0
    if not token:
        _warn("GITHUB_TOKEN is not set: comment not posted", env)
        return fail
    if not repo:
        _warn("no repository (set GITHUB_REPOSITORY or pass --repo): comment not posted", env)
        return fail
    pr = _pr_number(args, env)
    if pr is None:
        _warn(
            "no pull request number (pass --pr, or run on a pull_request event): "
            "comment not posted",
            env,
        )
        return fail

    api_url = env.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL
    try:
        # An API URL the token must not go to is a CommandError (exit 2), raised from here.
        client = GitHubClient(token, api_url=api_url, timeout=timeout, sleep=sleep, budget=max_time)
        action, comment_id = post_or_update(client, repo, pr, body, args.key, args.bot_login)
    except GitHubError as exc:
        hint = _hint(exc)
        message = f"comment not posted to {repo}#{pr}: {exc}" + (f"; {hint}" if hint else "")
        _warn(_scrubbed(message, token), env)
        return fail
    print(escape.line(f"archgate comment: {action} comment {comment_id} on {repo}#{pr}"))
    return 0
