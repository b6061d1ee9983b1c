"""Run an option over a question set and score it (RAGAS-style metrics, no LLM judge).

* answer accuracy: normalised exact match with the reference answer of the KB version asked
  against; token F1 as partial credit.
* context precision / recall at k (``rag`` only): the share of retrieved documents that state the
  answer, and the share of the documents stating it that were retrieved. These are RAGAS's
  non-LLM context metrics with document ids as the reference contexts.
* LLM token estimate: the prompt each option would send, and a fixed reply length.
* repeated runs: the same questions answered ``runs`` times at a sampling temperature, each run
  with its own seeded generator, as a questions x runs table of correct/incorrect for
  ``archgate.record_passes`` (pass rate and pass^k).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .data import Benchmark, Question
from .options import (
    OUTPUT_TOKENS_PER_ANSWER,
    Answer,
    FineTunedAssistant,
    PromptOnlyAssistant,
    RagAssistant,
)
from .text import estimate_tokens, exact_match, token_f1

# Repeated runs of ADR-0002: every test question answered RUNS times at the serving temperature
# (in each stand-in's score units, see :mod:`.options`); run r draws from
# ``numpy.random.default_rng([RUNS_SEED, r])``. Chosen on the dev split, before the test split's
# repeated runs were looked at (README: "How the figures were obtained").
RUNS = 8
TEMPERATURE = 0.05
RUNS_SEED = 20_260_915


class Assistant(Protocol):
    name: str

    def answer(
        self, question: str, temperature: float = 0.0, rng: np.random.Generator | None = None
    ) -> Answer: ...


@dataclass(frozen=True)
class Scored:
    """The answers of one option to one question set, scored."""

    questions: tuple[Question, ...]
    answers: tuple[Answer, ...]

    @property
    def correct(self) -> npt.NDArray[np.bool_]:
        return np.array(
            [
                exact_match(a.text, q.answer)
                for q, a in zip(self.questions, self.answers, strict=True)
            ]
        )

    @property
    def f1(self) -> npt.NDArray[np.float64]:
        return np.array(
            [token_f1(a.text, q.answer) for q, a in zip(self.questions, self.answers, strict=True)]
        )

    @property
    def changed(self) -> npt.NDArray[np.bool_]:
        return np.array([q.changed for q in self.questions])

    def context_precision(self) -> npt.NDArray[np.float64]:
        """Per question: share of the retrieved documents that state the answer."""
        return np.array(
            [
                sum(d in q.docs for d in a.contexts) / len(a.contexts)
                for q, a in zip(self.questions, self.answers, strict=True)
            ]
        )

    def context_recall(self) -> npt.NDArray[np.float64]:
        """Per question: share of the documents stating the answer that were retrieved."""
        return np.array(
            [
                sum(d in a.contexts for d in q.docs) / len(q.docs)
                for q, a in zip(self.questions, self.answers, strict=True)
            ]
        )

    def tokens(self) -> tuple[int, int]:
        """(input, output) LLM tokens the real system would use for these questions."""
        inp = sum(estimate_tokens(a.prompt) for a in self.answers)
        return inp, OUTPUT_TOKENS_PER_ANSWER * len(self.answers)


def run(
    assistant: Assistant,
    questions: Sequence[Question],
    temperature: float = 0.0,
    rng: np.random.Generator | None = None,
) -> Scored:
    """The assistant's answers to ``questions``, greedy unless ``temperature`` > 0."""
    answers = tuple(assistant.answer(q.text, temperature, rng) for q in questions)
    return Scored(tuple(questions), answers)


def repeated_runs(
    assistant: Assistant,
    questions: Sequence[Question],
    runs: int,
    temperature: float,
    seed: int,
) -> npt.NDArray[np.bool_]:
    """Correct (True) or not, per question (rows) and run (columns): ``runs`` passes over the
    same questions at ``temperature``. Run ``r`` draws from ``default_rng([seed, r])``, so every
    run is reproducible on its own and independent of the others."""
    columns = [
        run(assistant, questions, temperature, np.random.default_rng([seed, r])).correct
        for r in range(runs)
    ]
    return np.column_stack(columns)


@dataclass
class Systems:
    """Every option as deployed against one KB version.

    ``rag`` is re-indexed on the version (re-indexing is part of publishing a KB change);
    ``fine_tuned`` is the model trained on ``trained_on``, whatever the KB says now.
    """

    version: str
    rag: RagAssistant
    fine_tuned: FineTunedAssistant
    prompting: PromptOnlyAssistant

    def get(self, option: str) -> Assistant:
        by_name: dict[str, Assistant] = {
            "rag": self.rag,
            "fine_tuned": self.fine_tuned,
            "prompting": self.prompting,
        }
        return by_name[option]


def train_fine_tuned(bench: Benchmark, version: str) -> tuple[FineTunedAssistant, float]:
    """The fine_tuned stand-in trained on the training phrasings with ``version``'s answers."""
    start = time.perf_counter()
    model = FineTunedAssistant().fit(bench.questions("train", version))
    model.trained_on = version
    return model, time.perf_counter() - start


def deploy(bench: Benchmark, version: str, fine_tuned: FineTunedAssistant) -> Systems:
    history = bench.questions("train", version)
    return Systems(
        version, RagAssistant(bench.kb[version], history), fine_tuned, PromptOnlyAssistant()
    )
