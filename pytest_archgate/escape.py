"""The one place where untrusted text is made safe for each place it is shown.

ADR titles, criterion and option names, test ids and everything read back from a report come
from files anyone can edit in a pull request. Printed raw they could:

* start a GitHub Actions **workflow command**: the runner treats every stdout/stderr line that
  starts with ``::`` after leading whitespace as a command (``::error::``, ``::add-mask::``,
  ``::stop-commands::``), and the legacy form ``##[command]`` anywhere in a line
  (``ActionCommand.TryParseV2`` and ``TryParse`` in actions/runner,
  ``src/Runner.Common/ActionCommand.cs``);
* move the cursor, recolour or rewrite the terminal (ANSI escapes, carriage returns, other
  control characters), or reverse the order of what is shown (bidirectional controls);
* break a Markdown table, open an HTML tag, notify ``@org/team`` or link ``#123`` in a pull
  request comment.

Each output goes through exactly one function of this module:

=====================  ==========================================================================
:func:`text`           plain text on a terminal or a log line (one line, visible ``\\n``)
:func:`line`           a whole output line (also refuses to start with ``::``)
:func:`escape_md`      one line of GitHub Markdown prose or a table cell
:func:`escape_html`    text inside HTML (a ``<summary>`` in a comment, the HTML package)
:func:`html_text`      the same, typed :data:`Html`: the HTML package takes nothing else
                       (markup itself only from :func:`html_literal` / :func:`html_format`)
:func:`command_data`   the message of a workflow command that archgate itself emits
:func:`command_property`  a property (``title=``, ``file=``) of such a command
=====================  ==========================================================================

Nothing here imports pytest or anything heavy: every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import LiteralString, NewType

__all__ = [
    "Html",
    "command_data",
    "command_property",
    "escape_html",
    "escape_md",
    "html_format",
    "html_join",
    "html_literal",
    "html_text",
    "line",
    "lines",
    "strip_controls",
    "text",
]

LINE_GUARD = "\\"
"""Put before a line that would otherwise start with ``::`` (after whitespace)."""

# Patterns, not compiled ones: ``re`` compiles each on its first use and keeps it (its own
# cache), so a run whose text is all printable ASCII (text()'s fast path) never compiles them
# (about 7 million instructions at every start of pytest, issue 12).
_ANSI = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement, erase
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the same with the 8-bit introducer
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: titles, hyperlinks
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape sequence (or a lone ESC)
)
_NEWLINE = r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]"
# C0 and C1 controls, DEL, and the bidirectional controls that can reorder what is shown
_CONTROL = (
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f"  # C0 (but tab and line breaks), DEL, C1
    r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidirectional marks and overrides
)
_LEGACY_COMMAND = r"##\["
_MD_SPECIAL = {
    "\\": "\\\\",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "~": "\\~",
}
_HTML_SPECIAL = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "|": "&#124;",
    "`": "&#96;",
}
_ZWSP = "&#8203;"  # a zero-width space: breaks @mentions and #123 links, renders invisibly


def _plain(value: object, newline: str) -> str:
    s = "" if value is None else str(value)
    s = re.sub(_ANSI, "", s)
    s = re.sub(_NEWLINE, lambda _m: newline, s)  # a function: no backslash processing
    s = s.replace("\t", " ")
    return re.sub(_CONTROL, "", s)


def _guard(s: str) -> str:
    """Prefix ``s`` when the Actions runner would read it as a workflow command."""
    # the runner trims with .NET's char.IsWhiteSpace, which str.lstrip() matches closely
    return LINE_GUARD + s if s.lstrip().startswith("::") else s


def text(value: object) -> str:
    """``value`` as one line of plain text for a terminal or a CI log.

    Line breaks become a visible ``\\n``, tabs a space; ANSI escape sequences, other C0/C1
    control characters and bidirectional controls are dropped; the legacy ``##[`` command
    prefix becomes ``##\\[``; a value that would start a line with ``::`` gets a ``\\`` before
    it. ``None`` is ``""``.
    """
    if value.__class__ is str and value.isascii() and value.isprintable():
        # the common case, about 1,400 cells of a 200-ADR terminal section: printable ASCII has
        # no control characters, escape sequences or line breaks to remove
        s: str = value
        return _guard(s.replace("##[", "##\\[") if "##[" in s else s)
    s = _plain(value, "\\n")
    s = re.sub(_LEGACY_COMMAND, "##\\\\[", s)
    return _guard(s)


def line(value: object) -> str:
    """A whole output line: :func:`text`, so it cannot start (or contain) a workflow command.

    Use it where a line is printed, also when its parts went through :func:`text` already:
    two safe parts can still join into ``::`` at the start.
    """
    return text(value)


def lines(value: object) -> list[str]:
    """Several output lines: ``value`` split at line breaks, each made safe with :func:`line`."""
    s = "" if value is None else str(value)
    return [line(part) for part in re.split(_NEWLINE, s)]


def _escape(value: object, *, markdown: bool) -> str:
    s = _plain(value, " ")
    out: list[str] = []
    for i, ch in enumerate(s):
        if ch in _HTML_SPECIAL:
            out.append(_HTML_SPECIAL[ch])
        elif markdown and ch in _MD_SPECIAL:
            out.append(_MD_SPECIAL[ch])
        elif not markdown and ch == "[" and s[max(0, i - 2) : i] == "##":
            out.append("&#91;")  # no legacy ##[command] in a printed comment body
        elif ch == "@" or (ch == "#" and s[i + 1 : i + 2].isdigit()):
            # "@team" notifies people and "#123" links an issue: an invisible break stops both.
            out.append(ch + _ZWSP)
        else:
            out.append(ch)
    result = "".join(out)
    # "::" at the start of a printed line: the colon as an entity renders the same
    return "&#58;" + result[1:] if result.lstrip().startswith("::") else result


def escape_md(value: object) -> str:
    """Make ``value`` safe as one line of GitHub Markdown prose or one table cell.

    HTML metacharacters become entities (no tag or comment can be opened), pipes and backticks
    become entities (no table cell ends, no code span opens), Markdown emphasis and link
    characters are backslash-escaped, line breaks become spaces, control characters and ANSI
    escapes are dropped, and ``@name`` / ``#123`` get a zero-width space so that nobody is
    notified and no issue is linked.
    """
    return _escape(value, markdown=True)


def escape_html(value: object) -> str:
    """Like :func:`escape_md`, for text inside HTML, where Markdown backslash escapes would show
    literally (quotes are escaped too, so the result is safe in an attribute)."""
    return _escape(value, markdown=False)


def strip_controls(value: object) -> str:
    """``value`` without ANSI escapes, control characters and ``##[``; CR and LF are kept
    (for :func:`command_data`, which escapes them), tabs and form feeds become spaces."""
    s = "" if value is None else str(value)
    s = re.sub(_ANSI, "", s)
    s = re.sub(_LEGACY_COMMAND, "##\\\\[", s)
    return re.sub(_CONTROL, "", re.sub(r"[\t\x0b\x0c]", " ", s))


def command_data(value: object) -> str:
    """Escape the message of a workflow command (``%`` first, then CR and LF), as the runner
    unescapes it (``_escapeDataMappings`` in actions/runner's ``ActionCommand.cs``); other
    controls and ANSI escapes are dropped."""
    s = strip_controls(value)
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(value: object) -> str:
    """Escape a workflow command property value (also ``:`` and ``,``)."""
    return command_data(value).replace(":", "%3A").replace(",", "%2C")


# --------------------------------------------------------------------------------------------
# HTML as a type (ADR-0013)

Html = NewType("Html", str)
"""Text that is safe to put into an HTML page as it is: escaped data or markup built from it.

A plain ``str`` is not ``Html``, and ``str + Html`` or an f-string gives ``str`` again, so mypy
rejects any page fragment that did not come from :func:`html_text` (data),
:func:`html_literal` (markup written in the code) or :func:`html_format` / :func:`html_join`
(markup from a literal template and ``Html`` parts).
Calling ``Html(...)`` directly is the one way around that; the tests allow it only in this
module.
"""


def html_text(value: object) -> Html:
    """``value`` as HTML text: :func:`escape_html`, with ``-`` for ``None`` (a missing value)."""
    return Html(escape_html("-" if value is None else value))


def html_literal(markup: LiteralString) -> Html:
    """Markup written in the code (a string literal or a constant: the tests check every call
    site), such as ``<tbody>`` or the page's style sheet."""
    return Html(markup)


def html_format(template: LiteralString, /, *args: Html, **kwargs: Html) -> Html:
    """``template.format(*args, **kwargs)`` where every part is already :data:`Html`.

    ``template`` is markup written in the code (a string literal: the tests check every call
    site); the data goes in only through the typed arguments.
    """
    return Html(template.format(*args, **kwargs))


def html_join(parts: Iterable[Html], sep: LiteralString = "") -> Html:
    """The parts one after another, separated by ``sep`` (literal markup such as ``<br>``)."""
    return Html(sep.join(parts))
