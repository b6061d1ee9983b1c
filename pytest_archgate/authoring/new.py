"""``archgate new``: the next ADR of a folder, from a template, numbered like the log.

The file is parsed before it is written and written under the folder's lock, so two concurrent
``new`` commands never take the same number.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from pathlib import Path

from pytest_archgate.adr.files import DATE_PREFIX_RE, NUMBER_RE, adr_files
from pytest_archgate.authoring import common
from pytest_archgate.authoring.common import (
    Refused,
    check_text_argument,
    os_error,
    parse_text,
    safe_text,
    shown_path,
)
from pytest_archgate.authoring.lock import adr_lock
from pytest_archgate.authoring.templates import DEFAULT_TEMPLATE, load_template
from pytest_archgate.authoring.write import write_all
from pytest_archgate.errors import CommandError

SLUG_MAX = 60
MAX_TITLE_CHARS = 200
"""The longest title ``archgate new`` accepts (it becomes a heading and a file name)."""

_PLACEHOLDER_RE = re.compile(r"\{(title|date|id)\}")


def slugify(title: str, max_len: int = SLUG_MAX) -> str:
    """``"Use XGBoost (v2) for fraud!"`` -> ``"use-xgboost-v2-for-fraud"``: lowercase ASCII."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_len // 2 :] else cut
        slug = slug.strip("-")
    return slug


def _next_name(directory: Path, slug: str, today: _dt.date, root: Path | None) -> tuple[str, str]:
    """(file name, id) of the next ADR in ``directory``, numbered or date-prefixed like the log."""
    numbered: dict[int, list[Path]] = {}
    dated: list[str] = []
    for path in adr_files(directory):
        date_prefix = DATE_PREFIX_RE.match(path.stem)
        if date_prefix:
            dated.append(date_prefix.group(1))
            continue
        number = NUMBER_RE.match(path.stem)
        if number:
            numbered.setdefault(int(number.group(1)), []).append(path)
    clashes = {n: paths for n, paths in numbered.items() if len(paths) > 1}
    if clashes:
        n = min(clashes)
        names = " and ".join(shown_path(p, root) for p in clashes[n])
        raise Refused(
            f"number {n:04d} is used twice ({names}); renumber one before adding an ADR",
            file=shown_path(directory, root),
        )
    if numbered:
        n = max(numbered) + 1
        return f"{n:04d}-{slug}.md", f"ADR-{n:04d}"
    if dated:
        prefix = today.strftime("%Y%m%d") if len(dated[-1]) == 8 else today.isoformat()
        stem = f"{prefix}-{slug}"
        return f"{stem}.md", stem
    return f"0001-{slug}.md", "ADR-0001"


def new_adr(
    title: str,
    *,
    directory: Path,
    template: str = DEFAULT_TEMPLATE,
    today: _dt.date | None = None,
    root: Path | None = None,
) -> Path:
    """Create the next ADR in ``directory`` from ``template`` and return its path.

    The file is ``NNNN-slug.md`` (one more than the highest number in the folder), or
    ``YYYYMMDD-slug.md`` / ``YYYY-MM-DD-slug.md`` in a date-prefixed log; ``{title}``,
    ``{date}`` and ``{id}`` in the template are filled in, and the result is parsed before it is
    written.
    """
    title = check_text_argument(title, field="TITLE", what="the title", max_chars=MAX_TITLE_CHARS)
    slug = slugify(title)
    if not slug:
        raise CommandError(
            f"title {title!r} has no letters or digits to name the file after", field="TITLE"
        )
    template_text = load_template(template)
    today = today or common.today_date()
    _make_folder(directory, root)
    with adr_lock(directory):  # numbering reads the folder: one new ADR at a time
        try:
            os.listdir(directory)  # an unreadable folder would look empty and number from 1
        except OSError as exc:
            raise os_error(exc, action="list the ADR folder", path=directory) from None
        name, adr_id = _next_name(directory, slug, today, root)
        path = directory / name
        display = shown_path(path, root)
        if path.exists() or path.is_symlink():
            raise Refused("already exists; choose another title", file=display)
        values = {"title": title, "date": today.isoformat(), "id": adr_id}
        text = _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], template_text)
        adr = parse_text(text, path, display)
        if adr.status != "proposed" or adr.title != title:  # pragma: no cover - template bug
            raise CommandError(
                f"template {template!r} did not produce a proposed ADR titled {title!r}"
            )
        write_all([(path, text)])
    return path


def _make_folder(directory: Path, root: Path | None) -> None:
    """Create the ADR folder (and its parents) or say in one line why it cannot be."""
    shown = safe_text(shown_path(directory, root))
    if directory.is_dir():
        return
    if directory.exists() or directory.is_symlink():
        raise CommandError(
            "is not a folder (a regular file or a broken link is in the way); move it away, or "
            "pass --adr-dir DIR to keep the ADRs elsewhere",
            file=shown,
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, action="create the ADR folder", path=directory) from None
