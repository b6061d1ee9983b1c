"""Text utilities shared by the options and the scoring: tokens, sentences, answer matching.

Scoring follows the reading-comprehension convention (SQuAD, and RAGAS's non-LLM string
metrics): an answer is correct when it equals the reference after normalisation (case,
surrounding quotes and punctuation, thousands separators, a leading article), and token F1 gives
partial credit for a near miss. Nothing here looks at which option produced the answer.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

# Function words and question words: dropped before retrieval and matching. Written out here
# (not scikit-learn's list, which also drops content words such as "name", "full" and "bill").
_STOP_WORDS_TEXT = """
    a about after all also am an and any are as at be been before being but by can could did do
    does doing for from get got had has have having how i if in into is it its just me my no not
    of on or our out so some than that the their them then there these they this those to too
    us was we were what when where which while who whom why will with would you your yours
    i'm i've it's what's we're there's let lets want need please tell
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}\b)")
_SUFFIXES = ("ment", "ing", "ion", "ed", "ly", "es", "s")


def stem(word: str) -> str:
    """A deliberately crude suffix stripper: ``synced`` -> ``sync``, ``yearly`` -> ``year``,
    ``includes`` and ``include`` -> ``includ``."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits), in order."""
    return _WORD_RE.findall(text.lower())


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (stop words dropped), in order."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def analyzer(text: str) -> list[str]:
    """Features for TF-IDF: content stems and the bigrams of neighbouring stems."""
    stems = content_stems(text)
    return stems + [f"{a} {b}" for a, b in pairwise(stems)]


def sentences(text: str) -> list[str]:
    """Split a document into sentences: one per line, and lines at sentence punctuation."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.extend(s.strip() for s in _SENTENCE_END_RE.split(line) if s.strip())
    return out


def normalise_answer(text: str) -> str:
    """The form answers are compared in: lower case, no surrounding quotes or punctuation, no
    thousands separators, no leading article, single spaces (``" > "`` in menu paths)."""
    s = text.strip().lower()
    s = s.strip(" \t\n\"'\u201c\u201d\u2018\u2019.,;:!?")
    s = _THOUSANDS_RE.sub("", s)
    s = re.sub(r"\s*>\s*", " > ", s)
    s = re.sub(r"^(the|a|an)\s+", "", s)
    return re.sub(r"\s+", " ", s)


def exact_match(prediction: str, reference: str) -> bool:
    """Normalised exact match."""
    return normalise_answer(prediction) == normalise_answer(reference)


def token_f1(prediction: str, reference: str) -> float:
    """Token-overlap F1 of the normalised answers (the SQuAD definition)."""
    pred = normalise_answer(prediction).split()
    ref = normalise_answer(reference).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision = common / len(pred)
    recall = common / len(ref)
    return 2 * precision * recall / (precision + recall)


def estimate_tokens(text: str) -> int:
    """Tokens an LLM tokenizer would make of ``text``: about one per four characters of English.

    A rule of thumb (published by the main API vendors for their BPE tokenizers), good to about
    +-20% on prose like this; the cost figures built on it are estimates of that precision.
    """
    return max(1, -(-len(text) // 4))
