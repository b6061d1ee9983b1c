"""Load the knowledge base (both versions) and the question set from ``data/``.

Version 2 of the knowledge base is built from version 1 and the change log: every edit must
match its document exactly once, so the two versions cannot drift apart silently. Each question
carries the reference answer *for the version it is asked against*: a question about a changed
fact has one answer under v1 and another under v2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from .text import sentences

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
VERSIONS = ("v1", "v2")
Version = Literal["v1", "v2"]
Split = Literal["train", "dev", "test"]
SPLITS = ("train", "dev", "test")


class DataError(ValueError):
    """The data files contradict each other (an edit that does not apply, an unknown id...)."""


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}"

    def sentences(self) -> list[str]:
        return sentences(self.text)


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    published: date
    documents: tuple[Document, ...]

    def __post_init__(self) -> None:
        ids = [d.id for d in self.documents]
        if len(set(ids)) != len(ids):
            raise DataError(f"duplicate document ids in {self.version}")

    def get(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)

    def without(self, doc_id: str) -> KnowledgeBase:
        """The same knowledge base with one document removed (for tests)."""
        return KnowledgeBase(
            self.version, self.published, tuple(d for d in self.documents if d.id != doc_id)
        )


@dataclass(frozen=True)
class Fact:
    """One fact of the knowledge base, its answers per version and its phrasings."""

    id: str
    docs: tuple[str, ...]
    answers: dict[str, str]  # version -> reference answer
    train: tuple[str, ...]
    dev: tuple[str, ...]
    test: tuple[str, ...]

    def phrasings(self, split: str) -> tuple[str, ...]:
        return {"train": self.train, "dev": self.dev, "test": self.test}[split]

    @property
    def changed(self) -> bool:
        return self.answers["v1"] != self.answers["v2"]


@dataclass(frozen=True)
class Question:
    text: str
    fact: str
    answer: str
    docs: tuple[str, ...]
    split: Split
    changed: bool


@dataclass(frozen=True)
class Benchmark:
    kb: dict[str, KnowledgeBase]
    facts: tuple[Fact, ...]
    changes: tuple[dict[str, Any], ...]

    def questions(self, split: Split, version: str = "v1") -> list[Question]:
        """Every phrasing of ``split``, fact by fact, with the answers of ``version``."""
        return [
            Question(text, f.id, f.answers[version], f.docs, split, f.changed)
            for f in self.facts
            for text in f.phrasings(split)
        ]

    @property
    def months_between_versions(self) -> float:
        days = (self.kb["v2"].published - self.kb["v1"].published).days
        return days / (365.25 / 12)


def _read(name: str, data_dir: Path) -> Any:
    return yaml.safe_load((data_dir / name).read_text(encoding="utf-8"))


def _apply_changes(kb: KnowledgeBase, log: dict[str, Any]) -> KnowledgeBase:
    texts = {d.id: d.text for d in kb.documents}
    for change in log["changes"]:
        for edit in change["edits"]:
            doc, old, new = edit["doc"], edit["old"], edit["new"]
            if doc not in texts:
                raise DataError(f"change to {change['fact']}: unknown document {doc!r}")
            count = texts[doc].count(old)
            if count != 1:
                raise DataError(
                    f"change to {change['fact']}: {old!r} occurs {count} times in {doc}, "
                    "expected exactly once"
                )
            texts[doc] = texts[doc].replace(old, new)
    docs = tuple(Document(d.id, d.title, texts[d.id]) for d in kb.documents)
    return KnowledgeBase(log["version"], log["published"], docs)


@cache
def load_benchmark(data_dir: Path = DATA_DIR) -> Benchmark:
    """Both knowledge-base versions and every fact, checked for consistency."""
    raw = _read("kb_v1.yaml", data_dir)
    v1 = KnowledgeBase(
        raw["version"],
        raw["published"],
        tuple(Document(d["id"], d["title"], d["text"]) for d in raw["documents"]),
    )
    log = _read("kb_v2_changes.yaml", data_dir)
    v2 = _apply_changes(v1, log)
    new_answers = {c["fact"]: str(c["answer"]) for c in log["changes"]}

    doc_ids = {d.id for d in v1.documents}
    facts = []
    for f in _read("questions.yaml", data_dir)["facts"]:
        docs = tuple(f["docs"])
        unknown = [d for d in docs if d not in doc_ids]
        if unknown:
            raise DataError(f"fact {f['id']}: unknown document(s) {unknown}")
        for split in ("train", "dev", "test"):
            if not all(isinstance(q, str) for q in f[split]):
                raise DataError(f"fact {f['id']}: a {split} phrasing is not a string (quote it)")
        answer = str(f["answer"])
        facts.append(
            Fact(
                id=f["id"],
                docs=docs,
                answers={"v1": answer, "v2": new_answers.pop(f["id"], answer)},
                train=tuple(f["train"]),
                dev=tuple(f["dev"]),
                test=tuple(f["test"]),
            )
        )
    if new_answers:
        raise DataError(f"changes to unknown facts: {sorted(new_answers)}")
    ids = [f.id for f in facts]
    if len(set(ids)) != len(ids):
        raise DataError("duplicate fact ids in questions.yaml")
    return Benchmark(kb={"v1": v1, "v2": v2}, facts=tuple(facts), changes=tuple(log["changes"]))
