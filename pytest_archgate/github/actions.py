"""GitHub Actions output of a pytest run: job summary, annotations and step outputs.

A failing decision is easiest to act on where people already look: the job summary shows the
ADR table, an annotation points at the ADR line that was violated (in the run and in the pull
request's "Files changed"), and step outputs let later steps branch on the counts. The
controller calls :func:`publish_run` once at session end; it does nothing outside Actions
(``GITHUB_ACTIONS`` is not ``true``) and never raises because a runner file is unwritable.

Annotations are workflow commands printed on stdout. They go through ``github_action_utils``,
whose escaping is checked once at run time against GitHub's rules (``%``, ``\\r``, ``\\n`` in
messages; also ``:`` and ``,`` in properties); should a version of it not escape them, the
command is formatted here instead, so ADR text can never end a command or start another.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import stat
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from pytest_archgate import escape

if TYPE_CHECKING:
    from pytest_archgate.report.schema import AdrEntry, CriterionResult, Report

MAX_PER_KIND = 10
"""Annotations of each kind shown per run; the rest are counted in the job summary."""

Level = Literal["error", "warning", "notice"]

KIND_LABELS = {
    "enforced": "enforced failure",
    "advisory": "advisory failure",
    "needs-review": "needs-review constraint",
    "superseded": "link to a superseded ADR",
}

_SHA_RE = re.compile(r"^[0-9a-fA-F]{7,64}$")


# --------------------------------------------------------------------------- workflow commands


escape_data = escape.command_data
escape_property = escape.command_property


def format_command(
    level: Level,
    message: str,
    *,
    title: str | None = None,
    file: str | None = None,
    line: int | None = None,
) -> str:
    """``::error title=...,file=...,line=...::message`` with GitHub's escaping."""
    props = {"title": title, "file": file, "line": line}
    options = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{level} {options}::{escape_data(message)}"


_PROBE = ("a%b\r\nc", "t:1,2%")
_PROBE_EXPECTED = "::warning title=t%3A1%2C2%25,file=f,line=3::a%25b%0D%0Ac"


@functools.cache
def _library_escapes() -> bool:
    """Whether the installed ``github_action_utils`` escapes commands as GitHub requires."""
    try:
        import github_action_utils as gha
    except ImportError:
        return False
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            gha.warning(_PROBE[0], title=_PROBE[1], file="f", line=3)
    except Exception:  # any failure of a third-party probe means: format it ourselves
        return False
    return buf.getvalue().strip() == _PROBE_EXPECTED


def annotate(
    level: Level,
    message: str,
    *,
    title: str | None = None,
    file: str | None = None,
    line: int | None = None,
) -> None:
    """Print one annotation (a workflow command) on stdout."""
    message = escape.strip_controls(message)
    title = escape.strip_controls(title) if title is not None else None
    file = escape.strip_controls(file) if file is not None else None
    if _library_escapes():
        import github_action_utils as gha

        fn = {"error": gha.error, "warning": gha.warning, "notice": gha.notice}[level]
        fn(message, title=title, file=file, line=line)
    else:
        print(format_command(level, message, title=title, file=file, line=line), flush=True)


# --------------------------------------------------------------------------- environment


def warn(message: str) -> None:
    """A one-line warning on stderr (never a Python warning: pytest may turn those into errors)."""
    print(escape.line(f"archgate: warning: {message}"), file=sys.stderr)


MAX_EVENT_BYTES = 25 * 1024 * 1024
"""The largest event payload read (GitHub caps webhook payloads at 25 MB)."""


def read_event(env: Mapping[str, str]) -> dict[str, Any]:
    """The workflow's event payload (``GITHUB_EVENT_PATH``), or ``{}`` when unreadable.

    Read through :func:`~.report_load.load_json`: a FIFO or a device there is refused without
    blocking, the size is capped, and what cannot be read is one warning line.
    """
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    from pytest_archgate.errors import ReportError
    from pytest_archgate.report.load import load_json

    try:
        data = load_json(path, what="GITHUB_EVENT_PATH", max_bytes=MAX_EVENT_BYTES)
    except ReportError as exc:
        warn(f"event payload not used: {exc}")
        return {}
    return data if isinstance(data, dict) else {}


def repo_prefix(report: Report, env: Mapping[str, str]) -> str:
    """Where the report's rootdir sits inside the checkout, as ``sub/dir/`` (or ``""``).

    ADR ``file`` paths in a report are relative to pytest's rootdir; annotations and links need
    them relative to the repository root (``GITHUB_WORKSPACE``).
    """
    root, workspace = report.get("rootdir"), env.get("GITHUB_WORKSPACE")
    if not isinstance(root, str) or not root or not workspace:
        return ""
    rel = os.path.relpath(os.path.normpath(root), os.path.normpath(workspace))
    if rel == "." or rel.startswith("..") or os.path.isabs(rel):
        return ""
    return rel.replace(os.sep, "/").strip("/") + "/"


def repo_file(file: object, prefix: str, env: Mapping[str, str]) -> str | None:
    """An ADR file path relative to the repository root, for annotations and links."""
    if not isinstance(file, str) or not file:
        return None
    if PurePosixPath(file).is_absolute() or PureWindowsPath(file).is_absolute():
        workspace = env.get("GITHUB_WORKSPACE")
        if workspace:
            rel = os.path.relpath(os.path.normpath(file), os.path.normpath(workspace))
            if not rel.startswith(".."):
                return rel.replace(os.sep, "/")
        return file
    return prefix + file.replace("\\", "/")


def _valid_repo(repo: str) -> bool:
    """``OWNER/NAME`` by GitHub's naming rules (the same check as ``archgate comment``)."""
    from pytest_archgate.errors import CommandError
    from pytest_archgate.github.api import validate_repo

    try:
        validate_repo(repo)
    except CommandError:
        return False
    return True


def link_base(env: Mapping[str, str], prefix: str = "") -> str | None:
    """``{server}/{repo}/blob/{sha}/{prefix}`` for links to files at the commit under test.

    On a pull request the head commit (``pull_request.head.sha`` of the event) is used:
    ``GITHUB_SHA`` is then a temporary merge commit.
    """
    repo = env.get("GITHUB_REPOSITORY", "")
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    pr = read_event(env).get("pull_request")
    sha = ""
    if isinstance(pr, Mapping) and isinstance(pr.get("head"), Mapping):
        sha = str(pr["head"].get("sha") or "")
    sha = sha or env.get("GITHUB_SHA", "")
    if not _valid_repo(repo) or not _SHA_RE.match(sha):
        return None
    if not server.startswith(("https://", "http://")):
        return None
    return f"{server}/{repo}/blob/{sha}/" + quote(prefix, safe="/-_.~")


# --------------------------------------------------------------------------- annotations


@dataclass(frozen=True)
class Annotation:
    """One annotation to print; ``kind`` is a key of :data:`KIND_LABELS`."""

    kind: str
    level: Level
    message: str
    title: str
    file: str | None
    line: int | None


def _fmt(x: object) -> str:
    """A value in an annotation (plain text: the command escaping happens in annotate)."""
    from pytest_archgate.report.view import fmt_value

    return fmt_value(x)


def _what(c: CriterionResult) -> str:
    name = str(c["name"])
    if (metric := c.get("metric")) and metric != c["name"]:
        name += f" ({metric})"
    if option := c.get("option"):
        name += f" [{option}]"
    value = f" = {_fmt(v)}" if (v := c.get("value")) is not None else ""
    if ci := c.get("ci"):  # the loader checked: a [low, high] pair
        value += f" [{_fmt(ci[0])}, {_fmt(ci[1])}]"
    return f"{name}{value} violates {c.get('bound', '?')}"


def _int_or_none(x: object) -> int | None:
    return x if isinstance(x, int) and not isinstance(x, bool) and x > 0 else None


def collect_annotations(
    report: Report, *, prefix: str = "", env: Mapping[str, str] | None = None
) -> list[Annotation]:
    """Every annotation a report calls for, in report order.

    * ``enforced`` (error): a criterion of an accepted decision that fails;
    * ``advisory`` (warning): a failing criterion that is not enforced (the judged option of a
      proposed, rejected or superseded ADR; comparison options are left to the summary);
    * ``needs-review`` (warning): a failing constraint;
    * ``superseded`` (warning): tests still linked to a superseded or deprecated ADR.
    """
    env = env if env is not None else {}
    out: list[Annotation] = []
    for a in report["adrs"]:
        adr_id = str(a["id"])
        file = repo_file(a.get("file"), prefix, env)
        for c in a.get("criteria") or []:
            if c["verdict"] != "fail":
                continue
            line = _int_or_none(c.get("line"))
            if c.get("enforced"):
                msg = f"{adr_id} {_what(c)}: the accepted decision does not hold"
                out.append(Annotation("enforced", "error", msg, adr_id, file, line))
            elif c.get("role") != "comparison":
                msg = (
                    f"{adr_id} {_what(c)} (advisory: the ADR is {a.get('status', '?')}, "
                    "not enforced)"
                )
                out.append(Annotation("advisory", "warning", msg, adr_id, file, line))
        for c in a.get("constraints") or []:
            if c["verdict"] != "fail":
                continue
            if c.get("role") == "comparison":
                continue
            msg = (
                f"{adr_id} needs review: constraint {_what(c)}; the decision rests on it, "
                "so its assumptions no longer hold"
            )
            line = _int_or_none(c.get("line"))
            out.append(Annotation("needs-review", "warning", msg, adr_id, file, line))
        tests = [str(t) for t in a.get("tests") or []]
        if a.get("status") in ("superseded", "deprecated") and tests:
            by = f" by {successor}" if (successor := a.get("superseded_by")) else ""
            shown = ", ".join(tests[:5]) + (f" (+{len(tests) - 5})" if len(tests) > 5 else "")
            msg = (
                f"{len(tests)} test{'s' if len(tests) != 1 else ''} linked to {adr_id}, which is "
                f"{a.get('status')}{by}: {shown}"
            )
            definition = a.get("definition")
            line = _int_or_none(definition.get("status_line")) if definition else None
            out.append(Annotation("superseded", "warning", msg, adr_id, file, line))
    return out


def cap_annotations(
    annotations: Sequence[Annotation], per_kind: int = MAX_PER_KIND
) -> tuple[list[Annotation], dict[str, int]]:
    """The first ``per_kind`` annotations of each kind, and how many of each were left out."""
    shown: list[Annotation] = []
    seen: dict[str, int] = {}
    left: dict[str, int] = {}
    for a in annotations:
        seen[a.kind] = seen.get(a.kind, 0) + 1
        if seen[a.kind] <= per_kind:
            shown.append(a)
        else:
            left[a.kind] = left.get(a.kind, 0) + 1
    return shown, left


def overflow_line(left: Mapping[str, int], per_kind: int = MAX_PER_KIND) -> str:
    """The job-summary sentence that counts annotations left out (``""`` when none)."""
    if not left:
        return ""
    parts = [f"{n} {KIND_LABELS.get(k, k)}{'s' if n != 1 else ''}" for k, n in left.items() if n]
    return (
        f"_Not annotated (at most {per_kind} annotations of each kind): "
        + ", ".join(parts)
        + "; see the tables above._"
    )


# --------------------------------------------------------------------------- runner files


def output_record(name: str, value: str) -> str:
    """A ``$GITHUB_OUTPUT`` record in the multi-line-safe ``name<<DELIMITER`` form."""
    if not name or any(ch in name for ch in "=\r\n") or "<<" in name:
        raise ValueError(f"invalid output name {name!r}")
    delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
    while delimiter in value:
        delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def _append(path: str, text: str, what: str) -> bool:
    """Append to a runner file (``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``) without blocking.

    Opened with ``O_NONBLOCK``: a FIFO without a reader fails at once instead of hanging the
    run; anything but a regular file (or a character device such as ``/dev/null``) is refused.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags, 0o666)
        try:
            mode = os.fstat(fd).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode)):
                warn(f"cannot write the {what} to {path}: not a regular file")
                return False
            if hasattr(os, "O_NONBLOCK"):
                os.set_blocking(fd, True)
            with os.fdopen(fd, "w", encoding="utf-8", newline="", closefd=False) as fh:
                fh.write(text)
        finally:
            os.close(fd)
    except OSError as exc:
        warn(f"cannot write the {what} to {path}: {exc.strerror or exc}")
        return False
    return True


def step_outputs(report: Report, report_path: str | None) -> dict[str, str]:
    """The step outputs of a run: counts from the report's summary and the report's path."""
    summary = report.get("summary") or {}
    adrs: list[AdrEntry] = report["adrs"]

    def count(value: int | None, fallback: int) -> str:
        return str(value if value is not None else fallback)

    outputs = {
        "enforced-failures": count(
            summary.get("enforced_failures"),
            sum(1 for a in adrs if a.get("enforced") and a.get("verdict") == "fail"),
        ),
        "needs-review": count(
            summary.get("needs_review"), sum(1 for a in adrs if a.get("needs_review"))
        ),
        "unmeasured": count(
            summary.get("unmeasured"), sum(1 for a in adrs if a.get("verdict") == "unmeasured")
        ),
        "unmeasured-accepted": count(
            summary.get("unmeasured_accepted"),
            sum(1 for a in adrs if a.get("enforced") and a.get("verdict") == "unmeasured"),
        ),
    }
    if report_path:
        outputs["report-path"] = str(report_path)
    return outputs


def _reraise(env: Mapping[str, str]) -> bool:
    """Whether a rendering bug in :func:`publish_run` is raised instead of warned about."""
    return (env.get(RAISE_ENV) or os.environ.get(RAISE_ENV)) == "1"


RAISE_ENV = "ARCHGATE_RAISE_RENDER_ERRORS"
"""Set to ``1`` (in the test suite, or to debug) to re-raise rendering bugs in
:func:`publish_run` instead of reducing them to a warning line."""


def publish_run(
    report: Report,
    *,
    report_path: str | None,
    env: Mapping[str, str] = os.environ,
) -> None:
    """Publish a finished run to GitHub Actions; a no-op unless ``GITHUB_ACTIONS=true``.

    Appends the Markdown summary to ``$GITHUB_STEP_SUMMARY``, prints at most
    :data:`MAX_PER_KIND` annotations of each kind (the rest are counted in the summary) and
    writes ``enforced-failures``, ``needs-review``, ``unmeasured``, ``unmeasured-accepted`` and
    ``report-path`` to ``$GITHUB_OUTPUT``. Problems are reported on stderr, never raised.
    """
    if env.get("GITHUB_ACTIONS") != "true":
        return
    prefix = repo_prefix(report, env)
    # The two guards below are the only broad excepts around rendering, and they stay: this
    # runs in pytest_sessionfinish, after the gate was judged, and a bug in a side channel must
    # not turn the user's finished run into an internal error. The report is typed and was
    # built by archgate, so an exception here is a bug, never bad data: tests see it by calling
    # the renderers directly (tests/test_actions.py, tests/test_report_schema.py) or by setting
    # ARCHGATE_RAISE_RENDER_ERRORS=1, which re-raises it.
    try:
        shown, left = cap_annotations(collect_annotations(report, prefix=prefix, env=env))
    except Exception as exc:
        if _reraise(env):
            raise
        warn(f"cannot build annotations: {type(exc).__name__}: {exc}")
        shown, left = [], {}

    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            from pytest_archgate.report.summary import render_summary

            text = render_summary(report, link_base=link_base(env, prefix))
            extra = overflow_line(left)
            if extra:
                text += "\n\n" + extra
        except Exception as exc:  # see above
            if _reraise(env):
                raise
            warn(f"cannot render the job summary: {type(exc).__name__}: {exc}")
        else:
            _append(summary_path, text + "\n", "job summary")

    if shown:
        # pytest's progress line may not have ended yet: a command must start its own line.
        print(flush=True)
    for a in shown:
        annotate(a.level, a.message, title=a.title, file=a.file, line=a.line)

    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        records = "".join(output_record(k, v) for k, v in step_outputs(report, report_path).items())
        _append(output_path, records, "step outputs")
