"""ADR-0001: the question set is what the methodology says it must be.

These are data checks, measured like any other criterion: ADR-0001 is accepted, so an edit to
the questions or the KB change log that breaks them fails the run before any option is scored.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from support_assistant.data import Benchmark
from support_assistant.text import analyzer, words

pytestmark = pytest.mark.archgate("ADR-0001")


def _bag(text: str) -> tuple[str, ...]:
    return tuple(sorted(words(text)))


def _states(text: str, answer: str) -> bool:
    """``answer`` occurs in ``text`` as a whole span ("50" is not in "500")."""
    return re.search(rf"(?<![\w$]){re.escape(answer)}(?![\w%])", text) is not None


def test_enough_held_out_questions(archgate, bench: Benchmark) -> None:
    archgate.record("test_questions", len(bench.questions("test")))


def test_no_test_phrasing_was_seen_while_building(archgate, bench: Benchmark) -> None:
    seen = [q.text for split in ("train", "dev") for q in bench.questions(split)]
    test = [q.text for q in bench.questions("test")]
    bags = {_bag(t) for t in seen}
    archgate.record("train_test_overlap", sum(_bag(t) in bags for t in test))
    # how close the closest seen phrasing gets (reported, not judged): paraphrases of the same
    # fact share content words by nature, so this is high but below 1
    vec = TfidfVectorizer(analyzer=analyzer).fit(seen + test)
    sims = (vec.transform(test) @ vec.transform(seen).T).toarray()
    archgate.record("mean_nearest_seen_similarity", float(sims.max(axis=1).mean()))


def test_reference_answers_are_in_the_cited_documents(archgate, bench: Benchmark) -> None:
    found = []
    for fact in bench.facts:
        for version, kb in bench.kb.items():
            found += [_states(kb.get(doc).text, fact.answers[version]) for doc in fact.docs]
    archgate.record("answers_in_cited_documents", float(np.mean(found)), n=len(found))


def test_kb_update_changes_a_realistic_share_of_facts(archgate, bench: Benchmark) -> None:
    changed = [f for f in bench.facts if f.changed]
    archgate.record("changed_fact_share", len(changed) / len(bench.facts))
    archgate.record("changed_fact_test_questions", sum(q.changed for q in bench.questions("test")))


def test_changed_facts_really_changed_in_the_documents(bench: Benchmark) -> None:
    """The old answer is gone from every cited document of a changed fact (no stale copy)."""
    for fact in bench.facts:
        if not fact.changed:
            continue
        for doc in fact.docs:
            assert _states(bench.kb["v1"].get(doc).text, fact.answers["v1"])
            assert not _states(bench.kb["v2"].get(doc).text, fact.answers["v1"]), (fact.id, doc)
