"""How RAGAS metrics would be recorded next to archgate's own (ADR-0002, option rag).

RAGAS (https://docs.ragas.io) is the usual library for RAG evaluation. Most of its metrics ask an
LLM to judge; its non-LLM metrics compare strings, which is what this offline example can run.
The test records them with ``archgate.record`` under their own names, so a team that adopts
RAGAS can gate on them with a criterion such as ``ragas_context_recall: {min: 0.8}``. It is
skipped when ``ragas`` is not installed (it is not a dependency of this example).
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from support_assistant.data import Benchmark
from support_assistant.evaluation import Scored

from pytest_archgate.measure.stats import mean_ci

ragas = pytest.importorskip(
    "ragas",
    reason="ragas is not installed (pip install ragas); its non-LLM metrics would be recorded "
    "as ragas_* next to archgate's own context_recall and answer accuracy",
)


@pytest.mark.archgate("ADR-0002", option="rag")
def test_ragas_non_llm_metrics(
    archgate, bench: Benchmark, answers: dict[tuple[str, str], Scored]
) -> None:
    try:  # ragas >= 0.2
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics import (
            ExactMatch,
            NonLLMContextPrecisionWithReference,
            NonLLMContextRecall,
        )
    except ImportError as exc:
        pytest.skip(f"this ragas version lacks the non-LLM metrics used here: {exc}")

    kb = bench.kb["v1"]
    scored = answers["rag", "v1"]
    samples = [
        SingleTurnSample(
            user_input=q.text,
            response=a.text,
            reference=q.answer,
            retrieved_contexts=[kb.get(d).text for d in a.contexts],
            reference_contexts=[kb.get(d).text for d in q.docs],
        )
        for q, a in zip(scored.questions, scored.answers, strict=True)
    ]
    metrics = {
        "ragas_context_recall": NonLLMContextRecall(),
        "ragas_context_precision": NonLLMContextPrecisionWithReference(),
        "ragas_exact_match": ExactMatch(),
    }
    for name, metric in metrics.items():
        values = np.array([asyncio.run(metric.single_turn_ascore(s)) for s in samples], float)
        est = mean_ci(values, (0.95,), name=name, lo=0.0, hi=1.0)
        archgate.record(name, est.value, ci=est.ci, n=est.n)
