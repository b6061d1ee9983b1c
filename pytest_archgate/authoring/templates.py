"""The ADR templates shipped with archgate (``blank``, ``tabular-model``...).

A template already asks the questions a senior ML architect would ask (latency budget, training
data, cost, team capabilities...) and already carries measurable criteria, so that writing a
gated decision starts from something that can be checked.
"""

from __future__ import annotations

from importlib import resources

from pytest_archgate.errors import CommandError

DEFAULT_TEMPLATE = "blank"


def template_names() -> list[str]:
    """Names of the templates shipped with archgate (``blank``, ``tabular-model``...)."""
    folder = resources.files("pytest_archgate") / "templates"
    return sorted(
        entry.name.removesuffix(".md") for entry in folder.iterdir() if entry.name.endswith(".md")
    )


def load_template(name: str) -> str:
    """The text of template ``name``; :class:`CommandError` listing the templates otherwise."""
    names = template_names()
    if name not in names:
        raise CommandError(
            f"unknown template {name!r}; choose one of: {', '.join(names)}", field="--template"
        )
    entry = resources.files("pytest_archgate") / "templates" / f"{name}.md"
    return entry.read_text(encoding="utf-8")
