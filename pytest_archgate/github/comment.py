"""``archgate comment``: one sticky pull-request comment with the ADR status of a run.

Reviewers should see whether a change keeps the accepted decisions without opening CI logs, and
should see it once: the comment carries a hidden marker per ``--key``, and every later run edits
that comment instead of adding another.

Posting is best effort. A pull request from a fork gets a read-only token (403), the API may be
down or rate limited: the command then prints a ``warning:`` line (and a ``::warning::``
annotation on GitHub Actions) and exits 0, so that a reporting side channel never fails a build
that passed; ``--strict`` makes those exit 1. Problems the user must fix (an unreadable report,
an invalid ``--repo``) are errors (exit 2). The token is read from ``GITHUB_TOKEN`` and never
printed: the HTTP client scrubs it from every message.

Which existing comment is ours is decided by the marker and the author: ``GET /user`` is not
available to a workflow's ``GITHUB_TOKEN``, so the author's login is compared with
``--bot-login`` (default ``github-actions[bot]``; pass your user's login when posting with a
personal token, or ``my-app`` / ``my-app[bot]`` for a GitHub App). Comments by anyone else are
never edited, even when they quote the marker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pytest_archgate.github.api import (
    DEFAULT_BOT_LOGIN,
    GitHubClient,
    GitHubError,
    is_own_comment,
    repo_path,
    validate_number,
)
from pytest_archgate.report.summary import comment_marker


def post_or_update(
    client: GitHubClient,
    repo: str,
    pr: int,
    body: str,
    key: str,
    bot_login: str = DEFAULT_BOT_LOGIN,
) -> tuple[Literal["created", "updated"], int]:
    """Edit the comment with ``key``'s marker that ``bot_login`` wrote, or create one.

    GitHub must answer each step with the JSON it documents (a list of comments, then the
    comment with its positive ``id``); anything else is a :class:`GitHubError`, never a
    success.
    """
    marker = comment_marker(key)
    number = validate_number(pr)
    comments = repo_path(repo, "issues", number, "comments")
    existing: int | None = None
    # 30 per page (GitHub's default): a page of the longest comments stays under the body cap.
    for c in client.paginate(f"{comments}?per_page=30"):
        if not isinstance(c, Mapping) or _comment_id(c) is None:
            continue
        text = c.get("body")
        if isinstance(text, str) and marker in text and is_own_comment(c.get("user"), bot_login):
            existing = _comment_id(c)
            break
    if existing is not None:
        path = repo_path(repo, "issues", "comments", existing)
        answer = client.request_object("PATCH", path, json={"body": body})
        if _comment_id(answer) != existing:
            raise GitHubError(None, f"PATCH {path}: GitHub's answer is not comment {existing}")
        return "updated", existing
    created = client.request_object("POST", comments, json={"body": body})
    new_id = _comment_id(created)
    if new_id is None:
        raise GitHubError(None, f"POST {comments}: GitHub's answer has no valid comment id")
    return "created", new_id


def _comment_id(comment: Mapping[str, Any]) -> int | None:
    """The comment's ``id`` when it is a positive integer, else ``None``."""
    value = comment.get("id")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None
