"""Session fixtures: load the data once, train the fine-tuned stand-in once, answer once.

Every test of ADR-0002 reads the same answers, so that the paired ``vs prompting`` criterion
compares the options on identical questions. The KB update is replayed here: under ``v2`` the
``rag`` option is re-indexed on the new KB (publishing the KB does that), while ``fine_tuned``
is still the model trained on v1 (nobody has retrained it yet).
"""

from __future__ import annotations

import pytest
from support_assistant.data import Benchmark, load_benchmark
from support_assistant.evaluation import Scored, Systems, deploy, run, train_fine_tuned
from support_assistant.options import OPTIONS, FineTunedAssistant


@pytest.fixture(scope="session")
def bench() -> Benchmark:
    return load_benchmark()


@pytest.fixture(scope="session")
def fine_tuned_v1(bench: Benchmark) -> tuple[FineTunedAssistant, float]:
    """The fine_tuned stand-in trained on the v1 answers, and its training time in seconds."""
    return train_fine_tuned(bench, "v1")


@pytest.fixture(scope="session")
def systems(
    bench: Benchmark, fine_tuned_v1: tuple[FineTunedAssistant, float]
) -> dict[str, Systems]:
    model, _ = fine_tuned_v1
    return {version: deploy(bench, version, model) for version in ("v1", "v2")}


@pytest.fixture(scope="session")
def answers(bench: Benchmark, systems: dict[str, Systems]) -> dict[tuple[str, str], Scored]:
    """Every option's answers to the held-out test questions, per KB version."""
    return {
        (option, version): run(systems[version].get(option), bench.questions("test", version))
        for option in OPTIONS
        for version in ("v1", "v2")
    }
