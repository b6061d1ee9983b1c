"""The JSON report's schema: one set of types for the file every other tool reads.

The report (written by ``--archgate-report`` and ``archgate merge``, read by ``archgate
report``, ``merge``, ``accept`` and ``comment``) is the contract between the plugin and every
renderer. These ``TypedDict`` types describe it, so that mypy checks each key a renderer
indexes (``entry["verdcit"]`` is an error) and the type of every value it reads, and each
closed set of values is a ``Literal``. mypy lets ``.get("verdcit")`` through (it types it
``object``), so ``tests/test_report_schema.py`` checks that every key literal the renderers
read is declared here.

What the types promise is what :func:`pytest_archgate.report.load.check_report` checks, no
more: a report file may come from an older archgate or be written by hand, so most keys may be
missing or ``null`` (``NotRequired[T | None]``), and only the keys the loader requires are
required here. :func:`pytest_archgate.report.build.build_report` writes every key; a key it
writes ``null`` is shown as ``T | None``.

Each field's docstring (the string below it) is its documentation: ``docs/gen_report_schema.py``
renders ``docs/reference/report-schema.md`` from these types, and a test keeps the page in step.

This module imports only the standard library and the comparison's types (which live with the
code that builds them, in the verdict layer): reading the schema loads no numpy.
"""

from typing import Any, Literal, NotRequired, TypedDict

# the schema's name and version are defined in report/version.py, so that
# writing a report never imports these types
from pytest_archgate.report.version import SCHEMA as SCHEMA
from pytest_archgate.report.version import VERSION as VERSION
from pytest_archgate.verdict.comparison import (
    Cell,
    Comparison,
    CriterionVerdict,
    DailyCost,
    Direction,
    RankedComparison,
    Recommendation,
    ranked,
)

__all__ = [
    "FIELD_DOCS",
    "MAX_PARTIAL_TABLE",
    "SCHEMA",
    "STOP_REASONS",
    "VERSION",
    "AdrEntry",
    "AdrStatus",
    "AdrVerdict",
    "BaseComparison",
    "BaseReport",
    "CacheProvenance",
    "Cell",
    "Comparison",
    "CriterionDefinition",
    "CriterionKind",
    "CriterionResult",
    "CriterionVerdict",
    "DailyCost",
    "Definition",
    "Direction",
    "Estimate",
    "EstimateDetails",
    "Family",
    "Measurement",
    "MergedInput",
    "PartialKind",
    "PartialStatistics",
    "RankedComparison",
    "Recommendation",
    "Report",
    "Role",
    "RowsFile",
    "StopReason",
    "Summary",
    "ranked",
]

# --------------------------------------------------------------------------- closed sets

AdrStatus = Literal["proposed", "accepted", "rejected", "deprecated", "superseded", "unknown"]
"""An ADR's status (``unknown`` when the file names none archgate knows)."""

AdrVerdict = Literal["pass", "fail", "unmeasured", "none"]
"""An ADR's verdict: ``none`` when it has no criteria to judge."""

CriterionKind = Literal["acceptance", "constraint"]
"""An acceptance criterion judges a candidate; a constraint is an assumption the decision rests
on (a violated one marks the ADR for review)."""

Role = Literal["decision", "comparison", "candidate"]
"""Why an option was judged: it is the ADR's decision, a compared option of an ADR that has a
decision, or a candidate of an ADR that has none yet."""

Family = Literal["none", "holm"]
"""How confidence criteria are corrected for multiplicity: ``holm`` is Holm's step-down."""

StopReason = Literal["precision", "max_seconds", "max_runs", "runs"]
"""Why a latency measurement stopped timing calls."""

STOP_REASONS: tuple[StopReason, ...] = ("precision", "max_seconds", "max_runs", "runs")


# --------------------------------------------------------------------------- measurements


PartialKind = Literal["counts", "moments", "table", "none"]
"""What a shard's statistics are: a confusion table, the moments of per-row values, a table of
distinct scores (ROC AUC), or ``none`` (the metric cannot be merged from shards)."""

MAX_PARTIAL_TABLE = 10_000
"""The most distinct scores a shard's ROC AUC table may hold in a report."""


class PartialStatistics(TypedDict):
    """A shard's sufficient statistics of one metric (``archgate.evaluate(..., shard="k/K")``),
    from which ``archgate merge`` computes the metric over every shard's rows exactly.

    Checked when a report is read (shapes, counts, sizes) and again when merged (each shard's
    statistics must give the value and row count its estimate reports)."""

    shard: list[int]
    """``[k, K]``: shard ``k`` of ``K``."""
    fingerprint: str
    """The fingerprint of this shard's rows (the measurement's ``fingerprint``)."""
    kind: PartialKind
    """Which statistics ``stats`` holds."""
    stats: NotRequired[dict[str, Any] | None]
    """The statistics: ``counts``: ``table`` ``[tp, fp, fn, tn]``, ``threshold``, ``binary``,
    ``hard``; ``moments``: ``n``, ``mean``, ``m2``, ``m3``, ``n_pos``, ``eps``; ``table``:
    ``scores`` (ascending, at most 10,000: :data:`MAX_PARTIAL_TABLE`), ``pos``, ``neg``."""
    reason: NotRequired[str | None]
    """``none``: why the metric cannot be merged (``archgate merge`` refuses with it)."""
    levels: NotRequired[list[float] | None]
    """The two-sided levels the shard's run computed intervals at (the merged estimate gets
    them all, even where one shard alone had too few rows for an interval)."""


class EstimateDetails(TypedDict, total=False):
    """Method-specific details of an estimate; any key may appear, with any value: they are
    carried, never rendered, and ``archgate.record_estimate`` takes an estimate with any
    details, so no key is checked (a report that archgate wrote must load again)."""

    stop_reason: object | None
    """Latency estimates: why timing stopped (a :data:`StopReason`; another method's details
    may use the key for anything)."""
    below_minimum: object | None
    """Latency estimates: fewer calls than the requested percentiles need (a boolean)."""
    partial: PartialStatistics | None
    """A shard's sufficient statistics (the one key of details that is checked: ``archgate
    merge`` computes from it)."""


class Estimate(TypedDict):
    """A measured value with its uncertainty."""

    value: float
    """The point estimate."""
    method: NotRequired[str | None]
    """How the interval was computed, e.g. ``wilson``, ``bootstrap``, ``score-logit-delong``,
    ``order-statistic``, ``replicates-t``, ``recorded`` (an open set: ``archgate.record``
    takes any method name)."""
    n: NotRequired[int | None]
    """The number of rows, calls or replicates the estimate is computed from."""
    level: NotRequired[float | None]
    """The confidence level of ``ci``, between 0 and 1."""
    ci: NotRequired[list[float] | None]
    """The interval ``[low, high]`` at ``level``."""
    intervals: NotRequired[dict[str, list[float]] | None]
    """Intervals by level (keys like ``"0.95"``), each ``[low, high]``."""
    details: NotRequired[EstimateDetails | None]
    """Method-specific details."""


class RowsFile(TypedDict, total=False):
    """Per-row predictions kept beside the report for paired base-branch comparisons (in the
    folder ``<report>.rows/``; see ``docs/base-branch.md``)."""

    file: str
    """The file's name in that folder: its SHA-256 and ``.npz``."""
    sha256: str
    """The SHA-256 of its bytes, checked before it is read."""
    bytes: int
    """Its size in bytes, checked before it is read."""


class BaseComparison(TypedDict, total=False):
    """A ``vs: "@base"`` criterion's comparison with the base branch's report."""

    file: str | None
    """The base report's file name."""
    commit: str | None
    """The commit the base report measured."""
    generated_at: str | None
    """When the base report was written."""
    base_value: float | None
    """The base branch's value of the metric."""
    pr_value: float | None
    """This run's value of the metric (the criterion's ``value`` is the difference)."""
    test: str | None
    """The test behind the difference's interval, e.g. ``paired DeLong``, ``unpaired
    normal``."""
    paired: bool | None
    """Whether the difference was computed on the same rows, row by row."""
    stale: list[str] | None
    """Why the baseline was not used (the criterion is then ``unmeasured``)."""
    flags: list[str] | None
    """Warnings about the baseline that did not stop its use (e.g. not the merge base)."""


class BaseReport(TypedDict, total=False):
    """The base branch's report this run was compared with (``--archgate-base-report``)."""

    file: str | None
    """Its file name."""
    commit: str | None
    """The commit it measured."""
    generated_at: str | None
    """When it was written."""
    stale: list[str] | None
    """Why it is too old to use (every ``vs @base`` criterion is then ``unmeasured``)."""
    flags: list[str] | None
    """Warnings that did not stop its use."""
    paired_rows: bool | None
    """Whether it came with per-row predictions (paired comparisons possible)."""


class CacheProvenance(TypedDict):
    """Where a measurement stands with the evaluation cache (``archgate.cache``)."""

    restored: bool
    """``true``: restored from a cache entry, not measured in this run; ``false``: measured in
    this run and written to the cache."""
    key: str
    """The entry's key: SHA-256 of the canonical JSON of its dependencies."""
    origin: str
    """The run that measured it (one id per measured value): two replicates of one origin are
    one run, never combined as independent."""
    commit: NotRequired[str | None]
    """The git commit it was measured at (restored ones)."""
    created: NotRequired[str | None]
    """When it was measured (ISO 8601, UTC; restored ones)."""
    rows: NotRequired[str | None]
    """The id of its per-row scores in the entry (kept for paired ``vs`` criteria)."""


# --------------------------------------------------------------------------- ADRs


class Measurement(TypedDict):
    """One recorded estimate of a metric for one option of one ADR, from one test."""

    adr: str
    """The ADR id the measurement is linked to."""
    metric: str
    """The metric's name."""
    estimate: Estimate
    """The measured value and its interval."""
    option: NotRequired[str | None]
    """The option measured (null for an ADR without options)."""
    nodeid: NotRequired[str | None]
    """The pytest node id of the test that measured it."""
    device: NotRequired[str | None]
    """The device it ran on (``cpu``, ``cuda``...)."""
    fingerprint: NotRequired[str | None]
    """A hash of the evaluation rows, so that paired comparisons refuse mismatched test
    sets."""
    predictions: NotRequired[str | None]
    """Never written to a report (a scratch path of the run); ignored when read."""
    environment: NotRequired[str | dict[str, Any] | None]
    """The key of its environment in the report's ``environments`` (or, in reports written by
    other tools, the environment itself)."""
    replicate: NotRequired[str | None]
    """The replicate (seed, split, repeated run) this measurement belongs to."""
    cache: NotRequired[CacheProvenance | None]
    """Its evaluation-cache provenance (absent: the cache played no part)."""
    rows: NotRequired[RowsFile | None]
    """Where its per-row predictions were kept for base-branch comparisons."""


class CriterionDefinition(TypedDict):
    """A criterion as the ADR's front matter defines it."""

    name: str
    """The criterion's name (the metric, or the name given to it)."""
    metric: str
    """The metric it judges."""
    kind: NotRequired[CriterionKind | None]
    """Acceptance criterion or constraint."""
    min: NotRequired[float | None]
    """Lower bound on the value."""
    max: NotRequired[float | None]
    """Upper bound on the value."""
    min_strict: NotRequired[bool | None]
    """The lower bound is ``>`` (not ``>=``)."""
    max_strict: NotRequired[bool | None]
    """The upper bound is ``<`` (not ``<=``)."""
    vs: NotRequired[str | None]
    """The reference option: the criterion judges ``metric(option) - metric(vs)``."""
    confidence: NotRequired[float | None]
    """Judge the one-sided bound at this level instead of the point value."""
    device: NotRequired[str | None]
    """The device the criterion must be measured on."""
    line: NotRequired[int | None]
    """The criterion's line in the ADR file."""
    bound: NotRequired[str | None]
    """The bound as written, e.g. ``>= 0.9``."""


class Definition(TypedDict, total=False):
    """What a report needs to judge an ADR again without its file (``archgate merge``)."""

    decision: str | None
    """The option the ADR chose."""
    baseline: str | None
    """The option the decision is compared with."""
    options: list[str] | None
    """The options the ADR considers."""
    acceptance: list[CriterionDefinition] | None
    """Its acceptance criteria."""
    constraints: list[CriterionDefinition] | None
    """Its constraints."""
    weights: dict[str, float] | None
    """Weights of the criteria in the comparison's score."""
    cost: dict[str, Any] | None
    """The ADR's ``cost`` block as written (carried, not checked field by field)."""
    status_line: int | None
    """The line of the status in the ADR file."""
    superseded_by: str | None
    """The ADR that supersedes this one, as the file says."""
    date: str | None
    """The ADR's date."""
    family: Family | None
    """The ADR's multiplicity correction."""


class CriterionResult(TypedDict):
    """One criterion judged for one option."""

    name: str
    """The criterion's name."""
    verdict: CriterionVerdict
    """Its verdict for this option."""
    metric: NotRequired[str | None]
    """The metric it judges."""
    kind: NotRequired[CriterionKind | None]
    """Acceptance criterion or constraint."""
    option: NotRequired[str | None]
    """The option judged."""
    role: NotRequired[Role | None]
    """Why the option was judged (see :data:`Role`)."""
    enforced: NotRequired[bool | None]
    """Whether a failure fails the build (the ADR is accepted and the option is its
    decision)."""
    bound: NotRequired[str | None]
    """The bound as written."""
    min: NotRequired[float | None]
    """Lower bound."""
    max: NotRequired[float | None]
    """Upper bound."""
    vs: NotRequired[str | None]
    """The reference option of a difference criterion."""
    confidence: NotRequired[float | None]
    """The confidence level the bound is judged at."""
    device: NotRequired[str | None]
    """The device the criterion must be measured on."""
    line: NotRequired[int | None]
    """The criterion's line in the ADR file."""
    value: NotRequired[float | None]
    """The judged value (for ``vs``, the difference)."""
    ci: NotRequired[list[float] | None]
    """Its interval ``[low, high]``."""
    method: NotRequired[str | None]
    """How the interval was computed."""
    n: NotRequired[int | None]
    """How many rows, calls or replicates."""
    estimate: NotRequired[Estimate | None]
    """The full estimate judged."""
    reason: NotRequired[str | None]
    """Why the verdict is what it is (plain text)."""
    error: NotRequired[str | None]
    """Why the criterion could not be judged, when it could not."""
    tests: NotRequired[list[str] | None]
    """The node ids of the tests that measured it."""
    variance: NotRequired[str | None]
    """Which sources of variance the interval holds, e.g. ``test set only``."""
    family: NotRequired[Literal["holm"] | None]
    """``holm`` when the confidence level was corrected for multiplicity."""
    adjusted_confidence: NotRequired[float | None]
    """The corrected confidence level."""
    base: NotRequired[BaseComparison | None]
    """A ``vs: "@base"`` criterion: the comparison with the base branch's report."""


class AdrEntry(TypedDict):
    """One ADR: its status, verdict, criteria results and definition."""

    id: str
    """The ADR id, e.g. ``ADR-0003``."""
    title: NotRequired[str | None]
    """The ADR's title."""
    file: NotRequired[str | None]
    """Its file, relative to the root directory."""
    status: NotRequired[AdrStatus | None]
    """Its status."""
    status_raw: NotRequired[str | None]
    """The status as the file writes it."""
    enforced: NotRequired[bool | None]
    """Whether its failures fail the build (it is accepted)."""
    verdict: NotRequired[AdrVerdict | None]
    """Its verdict."""
    needs_review: NotRequired[bool | None]
    """A constraint it rests on no longer holds."""
    superseded_by: NotRequired[str | None]
    """The ADR that supersedes it."""
    decision: NotRequired[str | None]
    """The option it chose."""
    baseline: NotRequired[str | None]
    """The option its decision is compared with."""
    options: NotRequired[list[str] | None]
    """The options judged."""
    tests: NotRequired[list[str] | None]
    """The node ids of the tests linked to it."""
    failing: NotRequired[list[str] | None]
    """The names of its failing criteria."""
    unmeasured: NotRequired[list[str] | None]
    """The names of its unmeasured criteria."""
    criteria: NotRequired[list[CriterionResult] | None]
    """Its acceptance criteria, judged per option."""
    constraints: NotRequired[list[CriterionResult] | None]
    """Its constraints, judged per option."""
    definition: NotRequired[Definition | None]
    """What judging it again needs."""
    comparison: NotRequired[RankedComparison | Comparison | None]
    """Its options side by side (written when two or more options were measured; see
    :func:`ranked`)."""


# --------------------------------------------------------------------------- the report


# ``pass`` is a keyword, so a class body cannot declare it: the functional syntax does, and
# Summary inherits it. Its documentation is in FIELD_DOCS (the generator reads both).
_PassCount = TypedDict("_PassCount", {"pass": int}, total=False)

FIELD_DOCS: dict[tuple[str, str], str] = {
    ("Summary", "pass"): "ADRs whose verdict is ``pass``.",
}
"""Documentation of fields a class body cannot declare (read by ``docs/gen_report_schema.py``)."""


class Summary(_PassCount, total=False):
    """Counts over the report's ADRs (each a whole number, 0 or more)."""

    adrs: int
    """How many ADRs."""
    fail: int
    """ADRs whose verdict is ``fail``."""
    unmeasured: int
    """ADRs whose verdict is ``unmeasured``."""
    none: int
    """ADRs without criteria to judge."""
    enforced_failures: int
    """Accepted ADRs that fail."""
    needs_review: int
    """ADRs with a violated constraint."""
    unmeasured_accepted: int
    """Accepted ADRs left unmeasured."""


class MergedInput(TypedDict, total=False):
    """One input of ``archgate merge``: where its numbers came from."""

    file: str | None
    """The input report's file name."""
    generated_at: str | None
    """When it was written."""
    python: str | None
    """Its Python version."""
    platform: str | None
    """Its platform."""
    summary: Summary | None
    """Its summary."""
    environment: dict[str, Any] | None
    """Its environment."""


class Report(TypedDict):
    """The report: ``schema`` and ``version`` say which shape it is."""

    schema: Literal["pytest-archgate/report"]
    """Always ``pytest-archgate/report``."""
    version: int
    """The report version (``1``)."""
    adrs: list[AdrEntry]
    """Every ADR, in log order."""
    generated_at: NotRequired[str | None]
    """When it was written (ISO 8601, UTC)."""
    archgate_version: NotRequired[str | None]
    """The pytest-archgate version that wrote it."""
    python: NotRequired[str | None]
    """The Python version."""
    platform: NotRequired[str | None]
    """``sys.platform``."""
    rootdir: NotRequired[str | None]
    """pytest's root directory."""
    adr_dir: NotRequired[str | None]
    """The ADR folder."""
    commit: NotRequired[str | None]
    """The git commit measured."""
    summary: NotRequired[Summary | None]
    """Counts over the ADRs."""
    measurements: NotRequired[list[Measurement] | None]
    """Every measurement."""
    environment: NotRequired[dict[str, Any] | None]
    """The machine and packages of the run (carried, not checked field by field)."""
    environments: NotRequired[dict[str, dict[str, Any]] | None]
    """Measurement environments by key, each stored once."""
    errors: NotRequired[list[str] | None]
    """Errors of the run (unreadable ADRs, criteria that could not be judged)."""
    session_failures: NotRequired[list[str] | None]
    """The failures that fail the build."""
    strict_failures: NotRequired[list[str] | None]
    """The failures ``--archgate-strict`` adds."""
    notes: NotRequired[list[str] | None]
    """Notes of the run."""
    strict: NotRequired[bool | None]
    """Whether the run was strict."""
    family: NotRequired[Family | None]
    """The run's multiplicity correction."""
    data_fingerprints: NotRequired[list[str] | None]
    """The fingerprints of the evaluation data sets."""
    merged_from: NotRequired[list[str] | None]
    """``archgate merge``: the input files."""
    merged_inputs: NotRequired[list[MergedInput] | None]
    """``archgate merge``: what each input was."""
    base_report: NotRequired[BaseReport | None]
    """The base branch's report the run was compared with, when one was given."""
    diff: NotRequired[object]
    """A criteria diff (``archgate diff --json``) a workflow may attach for the PR comment's
    "Criteria changed in this PR"; carried, any shape, read defensively."""
