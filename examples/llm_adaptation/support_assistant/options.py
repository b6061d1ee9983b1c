"""The three options of ADR-0002, as small offline stand-ins for the real systems.

========== ================================== =============================================
option     stands in for                      stand-in here
========== ================================== =============================================
rag        retriever + LLM reading the top-k  TF-IDF retriever over the current KB version
           documents                          (articles indexed with the training questions
                                              that cited them) + the extractive reader of
                                              :mod:`.reader`
fine_tuned an LLM fine-tuned on support Q&A   a classifier from a question to one of the
           pairs, answering from its weights  answers it was trained on (TF-IDF + logistic
                                              regression on the training phrasings)
prompting  a general LLM with a system        generic conventions of software products
           prompt and no product knowledge    (:data:`GENERIC_PRIORS`), no access to the KB
========== ================================== =============================================

Each assistant answers one question at a time and returns the answer, the documents it used
(``rag`` only) and the prompt the real system would send to the LLM, whose length gives the
token-based cost estimate of ADR-0002.

Run-to-run variation. A real assistant samples its reply at a temperature above 0, so the same
question asked twice can get two answers. The stand-ins are deterministic at ``temperature=0``
(greedy: the top-scored choice, what every single-run figure of the example uses) and sample at
``temperature > 0`` from the softmax of their own scores at that temperature, with a seeded
:class:`numpy.random.Generator`: ``fine_tuned`` over the answers it was trained on (its scores
are log-probabilities, so ``temperature=1`` samples its own predicted distribution), ``rag``
over the order in which its reader takes the retrieved sentences (its scores are the sentence
ranking scores, between 0 and 2). Sampling uses the Gumbel-max trick, and for an order the
Gumbel-top-k trick (Kool, van Hoof and Welling, "Stochastic Beams and Where to Find Them",
ICML 2019): perturb every score by ``temperature`` times a standard Gumbel draw and sort.
``prompting`` has no scores (a fixed table of conventions) and gives the same answer every run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from .data import KnowledgeBase, Question
from .reader import (
    CODE,
    COUNT,
    DAY,
    DURATION,
    EMAIL,
    MENU,
    MONEY,
    NAME,
    NUMBER,
    PERCENT,
    QUANTITY,
    SHORTCUT,
    SIZE,
    TIME,
    WHEN,
    answer_kind,
    pick,
    proper_nouns,
)
from .text import analyzer, content_stems, sentences

OPTIONS = ("rag", "fine_tuned", "prompting")
TOP_K = 3
SUBJECT = ("Nimbus", "Nimbus Notes")  # the product's own name is never an answer

SYSTEM_PROMPT = (
    "You are the support assistant of Nimbus Notes, a note-taking app. Answer the customer's "
    "question in one or two friendly sentences. Give exact figures, names and menu paths. "
    "If you are not sure, say so and offer to connect the customer with a human agent."
)
# what a support reply costs in output tokens: one or two sentences around the answer
OUTPUT_TOKENS_PER_ANSWER = 40


def gumbel_order(
    scores: Sequence[float], temperature: float, rng: np.random.Generator | None
) -> list[int]:
    """Indices of ``scores``, best first: sorted (stable) at ``temperature`` 0, otherwise a
    draw from the Plackett-Luce distribution with weights ``exp(score / temperature)``."""
    keys = np.asarray(scores, dtype=np.float64)
    if temperature > 0:
        if rng is None:
            raise ValueError("temperature > 0 needs a seeded rng: runs must be reproducible")
        keys = keys + temperature * rng.gumbel(size=keys.shape)
    return [int(i) for i in np.argsort(-keys, kind="stable")]


@dataclass(frozen=True)
class Answer:
    text: str
    contexts: tuple[str, ...] = ()  # ids of the documents put into the prompt (rag)
    prompt: str = ""  # what the real system would send to the LLM


# ------------------------------------------------------------------------------------ rag
class RagAssistant:
    """Retrieve the top-k documents of the current KB version and read the answer from them.

    ``history``: labelled past questions (the training phrasings). Each document is indexed
    together with the past questions that it answered ("doc2query" with real queries), which
    teaches the retriever the customers' words for the documents' terms. Only the question
    text and document ids are used, never the answers, and the link survives KB edits because
    it is by document id: the answer is always read from the current text.
    """

    name = "rag"

    def __init__(self, kb: KnowledgeBase, history: Sequence[Question] = (), k: int = TOP_K) -> None:
        self.kb = kb
        self.k = k
        asked: dict[str, list[str]] = {d.id: [] for d in kb.documents}
        for q in history:
            for doc_id in q.docs:
                if doc_id in asked:
                    asked[doc_id].append(q.text)
        indexed = [" ".join([d.full_text, *asked[d.id]]) for d in kb.documents]
        self.vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
        self.doc_matrix = self.vectorizer.fit_transform(indexed)
        self.doc_sentences = [sentences(d.text) for d in kb.documents]
        vocab = self.vectorizer.vocabulary_
        self.idf = {t: float(self.vectorizer.idf_[j]) for t, j in vocab.items()}
        self.max_idf = float(self.vectorizer.idf_.max())
        self.proper = proper_nouns((d.text for d in kb.documents), SUBJECT)

    def retrieve(self, question: str) -> list[tuple[int, float]]:
        """Indices and cosine scores of the top-k documents (TF-IDF rows are L2-normalised)."""
        q = self.vectorizer.transform([question])
        scores = (self.doc_matrix @ q.T).toarray().ravel()
        top = np.argsort(-scores, kind="stable")[: self.k]
        return [(int(i), float(scores[i])) for i in top]

    def rank_sentences(
        self,
        question: str,
        hits: list[tuple[int, float]],
        temperature: float = 0.0,
        rng: np.random.Generator | None = None,
    ) -> list[str]:
        """Sentences of the retrieved documents, best first: the idf-weighted share of the
        question's words that a sentence contains, plus its document's retrieval score
        (sampled by :func:`gumbel_order` at ``temperature`` > 0)."""
        q_terms = set(content_stems(question))
        weight = {t: self.idf.get(t, self.max_idf) for t in q_terms}
        total = sum(weight.values()) or 1.0
        scored: list[tuple[float, str]] = []
        for i, doc_score in hits:
            for sent in self.doc_sentences[i]:
                covered = sum(weight[t] for t in q_terms & set(content_stems(sent)))
                scored.append((covered / total + doc_score, sent))
        order = gumbel_order([score for score, _ in scored], temperature, rng)
        return [scored[i][1] for i in order]

    def answer(
        self, question: str, temperature: float = 0.0, rng: np.random.Generator | None = None
    ) -> Answer:
        hits = self.retrieve(question)
        ranked = self.rank_sentences(question, hits, temperature, rng)
        text = pick(question, ranked, self.proper, SUBJECT)
        docs = [self.kb.documents[i] for i, _ in hits]
        context = "\n\n".join(f"[{d.id}] {d.full_text}" for d in docs)
        prompt = f"{SYSTEM_PROMPT}\n\nContext:\n{context}\n\nQuestion: {question}\nAnswer:"
        return Answer(
            # nothing of the right kind in the context: the best sentence, as an LLM would
            text=text if text is not None else (ranked[0] if ranked else ""),
            contexts=tuple(d.id for d in docs),
            prompt=prompt,
        )


# ----------------------------------------------------------------------------- fine_tuned
def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
            ),
        ]
    )


class FineTunedAssistant:
    """Answers from what training put into its weights: the answers of its training pairs.

    Like a fine-tuned LLM, it never reads the knowledge base at answer time; a fact changes in
    its answers only when it is trained again on pairs with the new answer.
    """

    name = "fine_tuned"

    def __init__(self, c: float = 20.0) -> None:
        self.model = make_pipeline(_features(), LogisticRegression(C=c, max_iter=5000))
        self.trained_on: str | None = None

    def fit(self, pairs: Sequence[Question]) -> FineTunedAssistant:
        self.model.fit([q.text for q in pairs], [q.answer for q in pairs])
        return self

    def answer(
        self, question: str, temperature: float = 0.0, rng: np.random.Generator | None = None
    ) -> Answer:
        if temperature > 0:
            log_p = self.model.predict_log_proba([question])[0]
            text = str(self.model.classes_[gumbel_order(log_p, temperature, rng)[0]])
        else:
            text = str(self.model.predict([question])[0])
        return Answer(text=text, prompt=f"{SYSTEM_PROMPT}\n\nQuestion: {question}\nAnswer:")


# ------------------------------------------------------------------------------ prompting
# What a general model "knows" about software products without our knowledge base: common
# conventions (Ctrl+N for a new note, HTTP 429 for a rate limit, ZIP archives, SAML for SSO,
# Evernote's ENEX format) and round defaults for everything product-specific. Checked in order,
# first match wins. Where our product follows the convention, this baseline is right, as a real
# model would be; the prices, limits and menu paths of Nimbus Notes it cannot know.
GENERIC_PRIORS: tuple[tuple[str, str, str], ...] = (
    (SHORTCUT, r"\bnew\b|\bcreate\b|\bfresh\b|\badd", "Ctrl+N"),
    (SHORTCUT, r"search|find|look", "Ctrl+F"),
    (SHORTCUT, r"switch|jump", "Ctrl+P"),
    (SHORTCUT, r"", "Ctrl+S"),
    (MONEY, r"year|annual", "$100"),
    (MONEY, r"", "$10"),
    (PERCENT, r"", "20%"),
    (CODE, r"limit|too many|throttl|exceed", "429"),
    (CODE, r"", "400"),
    (TIME, r"", "09:00"),
    (DAY, r"", "weekends"),
    (EMAIL, r"", "support@nimbusnotes.com"),
    (MENU, r"", "Settings"),
    (NUMBER, r"ios", "15"),
    (NUMBER, r"", "10"),
    (DURATION, r"\bseconds?\b|how often|how frequently|interval", "5 seconds"),
    (DURATION, r"\bminutes?\b|lock", "30 minutes"),
    (DURATION, r"\bhours?\b|how quickly|how fast|response time|notice|how early", "24 hours"),
    (DURATION, r"", "30 days"),
    (WHEN, r"", "30 days"),
    (SIZE, r"\bgb\b|gigabyte|storage|space|quota", "10 GB"),
    (SIZE, r"", "10 MB"),
    (COUNT, r"", "5"),
    (QUANTITY, r"\bmb\b|size|file|attach", "10 MB"),
    (QUANTITY, r"", "10"),
    (NAME, r"archive|zip", "ZIP"),
    (NAME, r"links|backlinks", "Markdown"),
    (NAME, r"evernote", "ENEX"),
    (NAME, r"encrypt|cipher", "AES-256"),
    (NAME, r"sso|single sign-on|identity provider", "SAML 2.0"),
    (NAME, r"plan|tier", "Pro"),
    (NAME, r"role", "Admin"),
    (NAME, r"", "I'm not sure; let me connect you with a human agent."),
)

FEW_SHOT = """Examples of good answers:
Q: How do I change my profile picture? A: Open your account page and choose a new picture.
Q: Can I use the app on two computers? A: Yes, sign in with the same account on both.
Q: Is my data backed up? A: Yes, your notes are backed up automatically."""


class PromptOnlyAssistant:
    """A general model with a system prompt: no training, no retrieval, no product facts."""

    name = "prompting"

    def answer(
        self, question: str, temperature: float = 0.0, rng: np.random.Generator | None = None
    ) -> Answer:
        """The same answer at every temperature: a table has no scores to sample from."""
        kind = answer_kind(question)
        q = question.lower()
        text = next(
            (
                answer
                for k, pattern, answer in GENERIC_PRIORS
                if k == kind and re.search(pattern, q)
            ),
            GENERIC_PRIORS[-1][2],
        )
        prompt = f"{SYSTEM_PROMPT}\n\n{FEW_SHOT}\n\nQuestion: {question}\nAnswer:"
        return Answer(text=text, prompt=prompt)
