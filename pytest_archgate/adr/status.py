"""Status texts as real logs write them, read as one of the five statuses.

``Accepted``, ``✅ Approved (2021-03-01)``, ``**Superseded** by [5. ...](0005-...md)``,
``Superceded by ADR-0005``: case, emphasis, emoji and trailing notes do not matter, synonyms are
read (:data:`STATUS_WORDS`), and the successor a supersede status names is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Status words and phrases as real logs write them, mapped to the five statuses. Only the first
# word (or phrase) of a status text counts: "Accepted (2021-03-01)", "Accepted on ...", "Accepted."
STATUS_WORDS: dict[str, str] = {
    "proposed": "proposed",
    "proposal": "proposed",
    "draft": "proposed",
    "pending": "proposed",
    "open": "proposed",
    "in progress": "proposed",
    "in-progress": "proposed",
    "work in progress": "proposed",
    "wip": "proposed",
    "under review": "proposed",
    "in review": "proposed",
    "under discussion": "proposed",
    "on hold": "proposed",  # put aside before it was taken: not in force, not decided against
    "accepted": "accepted",
    "approved": "accepted",
    "adopted": "accepted",
    "agreed": "accepted",
    "rejected": "rejected",
    "declined": "rejected",
    "deprecated": "deprecated",
    "reverted": "deprecated",
    "retired": "deprecated",
    "obsolete": "deprecated",
    "superseded": "superseded",
    "superceded": "superseded",
    "partly superseded": "superseded",
    "partially superseded": "superseded",
}
_MAX_PHRASE_WORDS = 3
_MAX_STATUS_CHARS = 4096

_REF_RE = re.compile(r"^(?:adr[-_ ]?|#)?\d{1,5}(?![\w])", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def links(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(label, target, start, end) of each ``[label](target ...)`` Markdown link.

    One pass: every search starts after the previous one, and a link target is looked for in
    a bounded window, so the cost is linear in the text whatever it holds.
    """
    pos = 0
    paren = -1  # the next ")" at or after the current target, found once per position
    while True:
        close = text.find("]", pos)
        if close < 0:
            return
        open_ = text.rfind("[", pos, close)
        if open_ >= 0 and text.startswith("(", close + 1):
            if paren < close + 2:
                paren = text.find(")", close + 2)
                if paren < 0:
                    return
            end = paren if paren - close <= 2048 else -1
            inner = text[close + 2 : end] if end >= 0 else ""
            target = inner.split(maxsplit=1)
            if end >= 0 and target and "\n" not in inner:
                yield text[open_ + 1 : close], target[0], open_, end + 1
                pos = end + 1
                continue
        pos = close + 1


def strip_md(text: str) -> str:
    """Markdown links replaced by their label; emphasis and code markers removed."""
    if "](" in text:
        out: list[str] = []
        last = 0
        for label, _target, start, end in links(text):
            out.append(text[last:start])
            out.append(label)
            last = end
        out.append(text[last:])
        text = "".join(out)
    if text.count("~~") >= 2 and text.count("~~") % 2 == 0:
        text = "".join(text.split("~~")[0::2])  # ~~struck-through~~ words are not read
    return text.replace("**", "").replace("__", "").replace("`", "").strip().strip("*_").strip()


def _status_word(text: str) -> tuple[str, int] | None:
    """(status, index after the status phrase) for a status text, or None.

    The text's first word or phrase counts (letters and inner hyphens: ``accepted-ish`` is one
    word, not a status); decorations before it (emoji, ``>``, bullets, braces) are skipped,
    digits are not (``2021 accepted`` is not a status).
    """
    i = 0
    n = min(len(text), 2000)
    while i < n and not text[i].isalnum():
        i += 1
    if i >= n or text[i].isdigit():
        return None
    words: list[re.Match[str]] = []
    for m in _WORD_RE.finditer(text, i, min(n, i + 200)):
        words.append(m)
        if len(words) == _MAX_PHRASE_WORDS:
            break
    for size in range(len(words), 0, -1):
        phrase = " ".join(w.group(0).lower() for w in words[:size])
        status = STATUS_WORDS.get(phrase)
        if status is not None:
            return status, words[size - 1].end()
    return None


def _reference(rest: str) -> str | None:
    """The successor named after a supersede word: ``by X``, or a reference such as
    ``ADR-002``, ``ADR025``, ``ADR 25``, ``#25`` (plain text; links are read by the caller)."""
    rest = rest.lstrip(" \t:-,\u2013\u2014")
    lower = rest.lower()
    by = False
    for lead in ("by ", "by:", "with ", "in favour of ", "in favor of "):
        if lower.startswith(lead):
            rest, by = rest[len(lead) :].lstrip(" \t:"), True
            break
    m = _REF_RE.match(rest)
    if m:
        return m.group(0)
    if by:
        word = rest.split(maxsplit=1)[0].rstrip(".,;:)") if rest.strip() else ""
        return word or None
    return None


def normalise_status(raw: str | None) -> tuple[str, str | None]:
    """(normalised status, successor reference or None) for a raw status text.

    Case, emphasis, emoji or other decorations before the word, and anything after the status
    word or phrase (a date, punctuation, a note) do not matter; synonyms are read
    (:data:`STATUS_WORDS`). A MADR placeholder listing alternatives
    (``{proposed | rejected | accepted}``) was never filled in: ``unknown``.
    """
    if raw is None:
        return "unknown", None
    text = raw.strip()[:_MAX_STATUS_CHARS]  # the word and its successor are at the start
    if not text or (text.startswith("{") and "|" in text):
        return "unknown", None
    plain = strip_md(text)
    found = _status_word(plain)
    if found is None:
        return "unknown", None
    status, end = found
    if status != "superseded":
        return status, None
    for _label, target, _start, _end in links(text):
        return "superseded", target
    return "superseded", _reference(plain[end:])
