"""The run-time state of archgate in one pytest process, and the hooks that use it.

``plugin.py`` registers one :class:`ArchgateSession` per run. On an xdist worker it links tests
and records measurements; on the controller (or a serial run) it gathers the measurements from
test reports, judges every ADR once, applies the gate and writes the outputs. Measurements travel
from workers on the test reports (``report.archgate``) of every phase (setup, call, teardown), so
serial and distributed runs go through the same code path.

The gate is judged at session level from every measurement of every phase (see
``adr/0006-judge-the-gate-per-session.md``): a linked test's outcome modifiers (``xfail``,
``skip``, a rerun that passes) change how the test is shown, never whether a violated criterion
of an accepted ADR fails the run.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from pytest_archgate import errors, escape
from pytest_archgate.adr.criteria import BASE_VS
from pytest_archgate.adr.log import AdrLog, load_log
from pytest_archgate.adr.model import Adr, DuplicateAdrIdError
from pytest_archgate.errors import ArchgateError
from pytest_archgate.measure.estimate import Measurement, short_repr
from pytest_archgate.plugin.linking import Link, links_from_marks
from pytest_archgate.plugin.options import adr_dir_of, settings_of, source_of
from pytest_archgate.report.build import build_report
from pytest_archgate.report.text import summary_lines
from pytest_archgate.safe_io import write_json_atomic
from pytest_archgate.settings import Settings
from pytest_archgate.verdict.judge import AdrResult, CriterionResult, judge_all, judge_criterion

if TYPE_CHECKING:
    # imported when a test first asks for the fixture (it brings the cost model along): a
    # suite linked by markers alone never needs it
    from pytest_archgate.plugin.fixture import Archgate, CacheSettings
    from pytest_archgate.report.schema import Family, Report
    from pytest_archgate.verdict.baseline import Baseline


class _Test:
    """What the session keeps for one test, in one stash entry: each hook of a test looks it up
    once (issue 12's per-test budget on large linked suites).

    Tests with the same links and ``gpu`` marker share one *shared* state until one of them
    records, fails a criterion or has a thread error: it then gets its own (see
    :meth:`ArchgateSession._own`). A shared state is never changed, so a suite of a thousand
    linked tests keeps a few hundred of these, not a thousand (each one is work for every full
    garbage collection of the run).
    """

    __slots__ = (
        "failed",
        "gpu",
        "links",
        "notes",
        "problem",
        "recorder",
        "shared",
        "thread_errors",
    )

    def __init__(
        self,
        links: Sequence[Link] = (),
        gpu: bool = False,
        problem: str | None = None,
        *,
        shared: bool = False,
    ) -> None:
        self.links = links  # the (ADR, option) pairs of its markers
        self.gpu = gpu  # a ``gpu`` marker (a marker, not a keyword: see pytest_runtest_setup)
        self.problem = problem  # a bad marker: the test errors when it is set up
        self.shared = shared
        self.recorder: Archgate | None = None  # made when the test first records
        self.failed: Sequence[str] = ()  # criteria its call failed (_failure_key)
        self.notes: Sequence[str] = ()
        self.thread_errors: list[str] | None = None  # shipped with its next report


# the state of every test without links, bad marker or gpu marker
_PLAIN = _Test(shared=True)
TEST_KEY = pytest.StashKey[_Test]()


# The library's warnings are UserWarnings (errors.py imports nothing, so the CLI starts without
# pytest); what the plugin emits is also a pytest.PytestWarning, as it always was: users filter
# pytest's own warnings with ``-W ignore::pytest.PytestWarning`` and expect archgate's among
# them, and a filter naming ``pytest_archgate.SupersededAdrWarning`` still matches the subclass.
# The names stay the same, so the warning summary reads as before (see adr/0014).
class SupersededAdrWarning(errors.SupersededAdrWarning, pytest.PytestWarning):
    """A test is linked to a superseded or deprecated ADR (as a pytest warning)."""


class NeedsReviewWarning(errors.NeedsReviewWarning, pytest.PytestWarning):
    """A constraint an accepted decision rests on does not hold (as a pytest warning)."""


class CacheEntryWarning(errors.ArchgateWarning, pytest.PytestWarning):
    """An evaluation-cache entry was ignored (corrupt, expired, hostile) or not stored."""


# what a test's outcome said although it measured a violated criterion (see _excuse)
EXCUSE_TEXT = {
    "xfail": "is marked xfail",
    "skipped": "skipped after measuring",
    "rerun": "was rerun",
}


def _check_report_path(path: Path, source: str) -> None:
    """Refuse a report path that cannot be written, before any test runs (exit 4).

    A run that measured for an hour and then cannot write its report has failed too late: an
    existing folder, a parent that is a file, or a folder without write permission are named
    now, in one line. Missing parent folders are created when the report is written (as
    ``--junitxml`` does), so only the nearest existing one is checked. Failures that only show
    when writing (a full disk) are an error of the run instead.
    """
    shown = escape.text(path)
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    problem: str | None = None
    if path.is_dir():
        problem = "is a folder; name a file such as archgate-report.json"
    elif path.exists() and not path.is_file():
        problem = "is not a regular file; name a file such as archgate-report.json"
    elif not existing.is_dir():
        problem = f"cannot be written: {escape.text(existing)} is not a folder"
    elif not os.access(existing, os.W_OK | os.X_OK):
        problem = f"cannot be written: no permission to write in {escape.text(existing)}"
    if problem is not None:
        raise pytest.UsageError(f"archgate: report {shown} {problem} (set by {source})")


def _check_report_not_an_adr(path: Path, log: AdrLog, source: str) -> None:
    """A report path naming an ADR file would overwrite the decision with JSON: exit 4."""
    try:
        target = path.resolve()
        hit = next((a for a in log.adrs if a.path.resolve() == target), None)
    except OSError:
        return
    if hit is not None:
        raise pytest.UsageError(
            f"archgate: report {escape.text(path)} is the ADR file of {escape.text(hit.id)}; "
            f"writing the report there would replace the decision: name another file (set by "
            f"{source})"
        )


def _excuse(report: pytest.TestReport) -> str | None:
    """How a report's outcome would hide a failure: xfail, skip, or a rerun."""
    if hasattr(report, "wasxfail"):  # xfailed, or xpassed when not strict
        return "xfail"
    outcome: str = report.outcome
    if outcome == "rerun":  # pytest-rerunfailures' outcome of an attempt it retries
        return "rerun"
    if report.skipped:
        return "skipped"
    return None


def _load_baseline(config: pytest.Config, settings: Settings, root: Path) -> Baseline | None:
    """The base branch's report (``--archgate-base-report``), or None when none is given.

    A bad file or age setting is a one-line usage error: a run that was asked to compare with
    the base branch never goes on as if the comparison had passed.
    """
    if not settings.base_report:
        return None
    from pytest_archgate.report.baseline import DEFAULT_MAX_AGE, load_baseline, parse_age

    try:
        max_age = parse_age(
            settings.base_max_age or DEFAULT_MAX_AGE, source=source_of(settings, "base_max_age")
        )
    except ValueError as exc:
        raise pytest.UsageError(escape.text(f"archgate: {exc}")) from None
    path = Path(settings.base_report)
    if not path.is_absolute():
        path = Path(str(config.invocation_params.dir)) / path
    try:
        return load_baseline(path, max_age=max_age, root=root)
    except ArchgateError as exc:
        raise pytest.UsageError(
            escape.text(f"archgate: base report ({source_of(settings, 'base_report')}): {exc}")
        ) from None


def _failure_key(adr: str, criterion: str, option: str | None) -> str:
    return f"{adr}\x1f{criterion}\x1f{option}"


class ArchgateSession:
    """State and hooks of archgate for one pytest process."""

    def __init__(self, config: pytest.Config, settings: Settings | None = None) -> None:
        self.config = config
        self.is_worker = hasattr(config, "workerinput")
        # one rule everywhere (settings.py): command line > ARCHGATE_* environment > ini key
        if settings is None:
            settings = settings_of(config)
        self.strict: bool = settings.strict
        self.require_gpu: bool = settings.require_gpu
        self.family: str = settings.family  # "holm": Holm over each ADR's confidence criteria
        self.report_path = Path(settings.report) if settings.report else None
        if self.report_path is not None and not self.is_worker:
            _check_report_path(self._report_target(), source_of(settings, "report"))
        self.rootdir = Path(str(config.rootpath))
        self.adr_dir = adr_dir_of(config, settings)
        if self.adr_dir is not None and not self.adr_dir.is_dir():
            source = source_of(settings, "adr_dir")
            what = "is not a folder" if self.adr_dir.exists() else "does not exist"
            raise pytest.UsageError(
                f"archgate: ADR folder {escape.text(self.adr_dir)} {what} (set by "
                f"{escape.text(source)})"
            )
        self.log: AdrLog = load_log(self.adr_dir, root=self.rootdir)
        if self.report_path is not None and not self.is_worker:
            _check_report_not_an_adr(self._report_target(), self.log, source_of(settings, "report"))
        # Only problems of files that take part in gating (an archgate block) stop the run;
        # problems of files kept only as records are one notice line (see AdrLog), never a
        # usage error and never a Python warning (suites run with filterwarnings=error).
        dupes = self.log.gated_duplicate_ids()
        dupe_files = {a.file for group in dupes.values() for a in group}
        parse_errors = [
            e
            for e in self.log.errors
            if not (isinstance(e, DuplicateAdrIdError) and e.file in dupe_files)
        ]
        if parse_errors:
            lines = "\n  ".join(escape.text(e) for e in parse_errors)
            raise pytest.UsageError(
                f"archgate: {len(parse_errors)} ADR file(s) cannot be parsed "
                f"(run `archgate lint` for details):\n  {lines}"
            )
        if dupes:
            lines = "\n  ".join(
                escape.text(f"{v[0].id}: {', '.join(a.file for a in v)}") for v in dupes.values()
            )
            raise pytest.UsageError(f"archgate: duplicate ADR ids:\n  {lines}")
        # problems of files kept only as records: one terminal line, see _log_notice

        # where per-row predictions wait for paired comparisons; made by the controller and
        # shared with the workers, only in projects that have ADRs
        self._own_scratch = False
        scratch = getattr(config, "workerinput", {}).get("archgate_scratch")
        if scratch is None and any(a.criteria for a in self.log.adrs):
            scratch = tempfile.mkdtemp(prefix="archgate-")
            self._own_scratch = True
        self.scratch = Path(scratch) if scratch else None

        # the cache's settings were checked with the others (settings.py); their object (and
        # the cache and fixture modules) is made when a test first records, see cache_settings
        self._settings = settings
        self._cache: CacheSettings | None = None
        self.measurements: list[Measurement] = []
        self.tests_by_adr: dict[str, set[str]] = {}
        self.reported_failures: set[str] = set()
        self.results: list[AdrResult] = []
        self.session_failures: list[str] = []
        self.strict_failures: list[str] = []
        self.errors: list[str] = []
        self.notes: list[str] = []
        self._report: Report | None = None
        self._local_measurements: dict[str, list[Measurement]] = {}
        self.current_item: pytest.Item | None = None
        # the threading.excepthook of the linked test running now, and the one it replaced
        self._watching: tuple[Any, Any] | None = None
        # nodeid -> how its outcome would have hidden a failure (xfail, skip, rerun)
        self.excused: dict[str, str] = {}
        # measurements that arrived after their test's teardown (threads outliving the test)
        self.late_errors: list[str] = []
        self._late_lock = threading.Lock()
        self._late_counted = 0
        self.baseline = None if self.is_worker else _load_baseline(config, settings, self.rootdir)
        if self.baseline is not None:
            for why in (*self.baseline.stale, *self.baseline.flags):
                self.notes.append(f"base report {self.baseline.file}: {why}")

    @property
    def cache_settings(self) -> CacheSettings:
        """The evaluation cache's settings for the recorders of this run (made once)."""
        if self._cache is None:
            self._cache = self._cache_settings(self._settings)
        return self._cache

    def _cache_settings(self, settings: Settings) -> CacheSettings:
        """The evaluation cache's mode, folder and maximum age (see docs/cache.md)."""
        from pytest_archgate.measure.cache import DEFAULT_MAX_AGE
        from pytest_archgate.plugin.fixture import CacheSettings
        from pytest_archgate.settings import parse_age

        config = self.config

        def folder() -> Path | None:
            if settings.cache_dir:
                return self.rootdir / settings.cache_dir  # an absolute path stays as it is
            cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
            return Path(cache.mkdir("archgate-evaluations")) if cache is not None else None

        def commit() -> str | None:
            from pytest_archgate.measure.environment import git_commit

            return git_commit(self.rootdir)

        def warn(message: str) -> None:
            # attributed to the test line of the block (test, block, read or write, here)
            warnings.warn(CacheEntryWarning(escape.line(message)), stacklevel=4)

        return CacheSettings(
            mode=settings.cache,
            folder=folder,
            max_age=parse_age(settings.cache_max_age or DEFAULT_MAX_AGE),
            root=self.rootdir,
            commit=commit,
            warn=warn,
            scratch=self.scratch,
            # a secret, so never an option or ini key: only entries signed with it are read
            secret=os.environ.get("ARCHGATE_CACHE_SECRET") or None,
        )

    def _report_target(self) -> Path:
        """The report path, relative ones taken from where pytest was invoked."""
        path = self.report_path
        assert path is not None
        if path.is_absolute():
            return path
        return Path(str(self.config.invocation_params.dir)) / path

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        if self._own_scratch and self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        # the report and the measurements are written and shown by now: let them go before
        # pytest's last garbage collection (which would otherwise walk them too); the verdicts
        # stay, ExitGuard re-asserts the exit status from them after this
        self._report = None
        self.measurements = []
        self._local_measurements = {}

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """Hand the controller's scratch folder to each xdist worker."""
        if self.scratch is not None:
            node.workerinput["archgate_scratch"] = str(self.scratch)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """Gather the late measurements a worker saw after its tests' teardowns."""
        output = getattr(node, "workeroutput", None) or {}
        for msg in output.get("archgate_late", []):
            self._late(str(msg))

    def _late(self, message: str) -> None:
        """A measurement arrived after its test's teardown ended: an error of the run."""
        with self._late_lock:
            if message not in self.late_errors:
                self.late_errors.append(message)

    # ------------------------------------------------------------------ collection
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Resolve archgate markers; any bad marker stops the run with a usage error."""
        problems: list[str] = []
        found: dict[tuple[type, object], Adr | None] = {}  # reference -> ADR, for this log
        shared: dict[tuple[tuple[Link, ...], bool], _Test] = {((), False): _PLAIN}
        for item in items:
            # one walk over the item's markers (and its parents') for both questions
            marks = list(item.iter_markers())
            gpu = any(mark.name == "gpu" for mark in marks)
            try:
                links = links_from_marks(item, marks, self.log, found)
            except ArchgateError as exc:
                problems.append(escape.text(exc))
                item.stash[TEST_KEY] = _Test(gpu=gpu, problem=escape.line(f"archgate: {exc}"))
                continue
            key = (tuple(links), gpu)
            test = shared.get(key)
            if test is None:
                test = shared[key] = _Test(key[0], gpu, shared=True)
            item.stash[TEST_KEY] = test
        if problems and not self.is_worker:
            raise pytest.UsageError("archgate: " + "\n  ".join(problems))
        # An xdist worker cannot stop the whole run from here (the controller would report a
        # crashed worker); each bad test errors at setup with the same message instead, and the
        # controller fails the session (see pytest_runtest_logreport).

    # ------------------------------------------------------------------ running
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Error on bad markers (xdist); skip or fail ``gpu`` tests without a CUDA device."""
        self.current_item = item
        test = self._test(item)
        if test is _PLAIN:
            return
        if test.links:
            self._watch_threads(item)
        if not test.shared:
            # a rerun (pytest-rerunfailures) sets the same item up again: the earlier attempt's
            # recorder is closed and its measurements already shipped, so start a fresh one
            test.recorder = None
            test.failed = ()
            test.notes = ()
        if test.problem is not None:
            pytest.fail(test.problem, pytrace=False)
        # Warned here, not at collection: every xdist worker collects every test, but each test
        # is set up once, so the warning is reported once (and filterwarnings=error errors the
        # test instead of crashing collection).
        for link in test.links:
            adr = link.adr
            if adr.status in ("superseded", "deprecated"):
                succ = self.log.successor(adr)
                succ_text = (
                    f"; use {succ.id} ({succ.file}) instead"
                    if succ is not None
                    else (f"; superseded by {adr.superseded_by}" if adr.superseded_by else "")
                )
                # attributed to the test's own file and line, not to this module
                path, lineno, _ = item.location
                warnings.warn_explicit(
                    SupersededAdrWarning(
                        escape.line(
                            f"{item.nodeid} is linked to {adr.id}, which is {adr.status}{succ_text}"
                        )
                    ),
                    category=SupersededAdrWarning,
                    filename=str(item.path) if item.path else path,
                    lineno=(lineno or 0) + 1,
                )
        # a marker, not a keyword: a parametrize id "gpu" must not make a test need CUDA
        if not test.gpu:
            return
        from pytest_archgate.measure.gpu import cuda_unavailable_reason

        reason = cuda_unavailable_reason()
        if reason is None:
            return
        if self.require_gpu:
            pytest.fail(
                f"--archgate-require-gpu: {reason}; this GPU test must not pass by skipping",
                pytrace=False,
            )
        pytest.skip(f"needs a CUDA device: {reason}")

    @staticmethod
    def _test(item: pytest.Item) -> _Test:
        """The session's state of a test (made now for an item it did not collect)."""
        test = item.stash.get(TEST_KEY, None)
        if test is None:
            gpu = item.get_closest_marker("gpu") is not None
            test = item.stash[TEST_KEY] = _Test(gpu=gpu, shared=True) if gpu else _PLAIN
        return test

    @classmethod
    def _own(cls, item: pytest.Item) -> _Test:
        """The test's own state, made from the shared one it had (which never changes)."""
        test = cls._test(item)
        if test.shared:  # never one with a problem: those are made per test
            test = item.stash[TEST_KEY] = _Test(test.links, test.gpu)
        return test

    def recorder(self, item: pytest.Item) -> Archgate:
        test = self._own(item)
        rec = test.recorder
        if rec is None:
            from pytest_archgate.plugin.fixture import Archgate

            rec = Archgate(
                item.nodeid,
                list(test.links),
                scratch=self.scratch,
                device="cuda" if test.gpu else "cpu",
                on_late=self._late,
                family=self.family,
                cache=self.cache_settings,
            )
            self._report_thread_errors(item, rec)
            test.recorder = rec
        return rec

    # ------------------------------------------------------------------ threads
    def _thread_error(self, item: pytest.Item, message: str) -> None:
        """An error in a thread of a linked test: an error of the run (shipped with the next
        report of the test), since the measurement it was making is missing."""
        with self._late_lock:
            test = self._own(item)
            if test.thread_errors is None:
                test.thread_errors = []
            test.thread_errors.append(f"{item.nodeid}: {message}")

    def _watch_threads(self, item: pytest.Item) -> None:
        """Until the test's teardown ends, an unhandled exception in any thread fails the run.

        pytest shows such an exception as a warning only (``-W ignore`` hides it), and the
        measurement the thread would have recorded is then silently missing. The hook is
        chained in front of whatever hook is installed (pytest's own keeps its warning).
        """
        self._unwatch_threads()  # a test whose teardown was never reported (tests run one by one)
        previous = threading.excepthook

        def hook(args: threading.ExceptHookArgs) -> None:
            exc = args.exc_value
            if not getattr(exc, "_archgate_reported", False):
                name = args.thread.name if args.thread is not None else "?"
                what = str(exc) if isinstance(exc, ArchgateError) else short_repr(exc, 200)
                self._thread_error(
                    item,
                    f"unhandled {args.exc_type.__name__} in thread {name}: {what}; a thread "
                    "of a test linked to an ADR failed, so what it measured is missing",
                )
            previous(args)

        threading.excepthook = hook
        self._watching = (hook, previous)

    def _unwatch_threads(self) -> None:
        installed = self._watching
        if installed is not None:
            self._watching = None
            if threading.excepthook is installed[0]:  # nobody installed another one since
                threading.excepthook = installed[1]

    def _report_thread_errors(self, item: pytest.Item, rec: Archgate) -> None:
        """A measurement error raised in another thread fails the run even if the thread
        swallows it (a ``concurrent.futures`` future whose result nobody asks for)."""
        for name in dir(rec):
            if not name.startswith(("record", "evaluate", "latency")):
                continue
            method = getattr(rec, name)
            if callable(method):
                setattr(rec, name, self._reporting(item, rec, name, method))

    def _reporting(
        self, item: pytest.Item, rec: Archgate, name: str, method: Callable[..., Any]
    ) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except ArchgateError as exc:
                thread = threading.current_thread()
                if thread is not threading.main_thread() and not rec.closed:
                    exc._archgate_reported = True  # type: ignore[attr-defined]
                    self._thread_error(item, f"{name}() in thread {thread.name}: {exc}")
                raise

        return call

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """After a linked test body passed, judge the decision criteria it measured."""
        result = yield
        test = self._test(item)
        if test.links and "benchmark" in getattr(item, "funcargs", {}):
            self._record_benchmark(item, getattr(item, "funcargs", {})["benchmark"])
        rec = test.recorder
        if rec is None or not rec.measurements:
            return result
        messages: list[str] = []
        failed: list[str] = []
        for link in test.links:
            adr = link.adr
            if adr.status != "accepted" or adr.decision is None:
                continue
            # replicates (seeds, splits, runs) are judged together at the end of the session
            mine = [
                m
                for m in rec.measurements
                if m.adr == adr.id and m.option == adr.decision and m.replicate is None
            ]
            measured = {m.metric for m in mine}
            for c in adr.acceptance:
                # only what this test measured for the decision; vs criteria wait for the end
                if c.vs is not None or c.metric not in measured:
                    continue
                r = judge_criterion(c, adr.decision, mine, role="decision", enforced=True)
                if r.verdict == "fail":
                    # JUnit XML readers see each failed criterion as a property of the test case
                    item.user_properties.append(
                        (f"archgate:{adr.id}:{r.criterion.name}", f"fail: {r.message(adr)}")
                    )
                    key = _failure_key(adr.id, r.criterion.name, r.option)
                    if key not in failed:
                        failed.append(key)
                        messages.append(r.message(adr))
        if messages:
            self._own(item).failed = failed
            pytest.fail("\n".join(messages), pytrace=False)
        return result

    def _record_benchmark(self, item: pytest.Item, fixture: Any) -> None:
        """Record pytest-benchmark's statistics of a linked test (see benchmark_bridge)."""
        from pytest_archgate.measure.benchmark_bridge import benchmark_estimates

        estimates, note = benchmark_estimates(fixture)
        if note is not None:
            self._own(item).notes = [f"{item.nodeid}: {note}"]
            return
        rec = self.recorder(item)
        for name, est in estimates.items():
            rec.record_estimate(name, est)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Attach links and measurements to the report; show archgate errors without traceback."""
        report = yield
        error: str | None = None
        if call.excinfo is not None and isinstance(call.excinfo.value, ArchgateError):
            error = escape.line(f"archgate: {call.excinfo.value}")
            report.longrepr = error
        test = item.stash.get(TEST_KEY, None)
        if test is None:
            return report
        if test.problem is not None and call.when == "setup":
            report.archgate = {"errors": [test.problem]}  # type: ignore[attr-defined]
            return report
        links = test.links
        if not links:
            return report
        # every phase ships what was recorded since the last one: setup (fixtures), call,
        # teardown (code after a fixture's yield, finalizers, threads joined by then); the
        # teardown closes the recorder, so later measurements are errors, never dropped
        rec = test.recorder
        new = rec.take(close=call.when == "teardown") if rec is not None else []
        if call.when == "teardown":
            self._unwatch_threads()
        thread_errors = None
        if test.thread_errors:  # set by other threads, under the lock
            with self._late_lock:
                thread_errors, test.thread_errors = test.thread_errors, None
        failed = test.failed if call.when == "call" else []
        notes = test.notes if call.when == "call" else []
        plain = (
            not new
            and not error
            and not thread_errors
            and not failed
            and not notes
            and report.passed
            and not hasattr(report, "wasxfail")
        )
        if not self.is_worker:
            # in one process the session is the controller: it takes links and measurements
            # straight from the item, and a plain pass has nothing more to tell it (only a
            # report that is not a plain pass can excuse a failure, see _excuse)
            if call.when == "setup":
                for link in links:
                    self.tests_by_adr.setdefault(link.adr.id, set()).add(report.nodeid)
            if new:
                self._local_measurements.setdefault(report.nodeid, []).extend(new)
            if plain:
                return report
        elif plain and call.when != "setup":
            # a worker's call or teardown that passed and recorded nothing: the setup report
            # carried the links (issue 12's budget for large linked suites)
            return report
        # xdist ships reports between processes as JSON, so the payload is plain data, and
        # only what is there: every report a large suite keeps stays small
        data: dict[str, Any] = {}
        # a measurement the test could not make (NaN, one class, a raising callable)
        errors = ([f"{item.nodeid}: {error}"] if error else []) + (thread_errors or [])
        if errors:
            data["errors"] = errors
        if self.is_worker:
            data["links"] = [link.to_json() for link in links]
            if new:
                data["measurements"] = [m.to_json() for m in new]
        if failed:
            data["failed"] = list(failed)
        if notes:
            data["notes"] = list(notes)
        report.archgate = data  # type: ignore[attr-defined]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather links and measurements (on the controller, from every worker)."""
        data = getattr(report, "archgate", None)
        if data is None or self.is_worker:
            return
        # three reports per linked test: the empty cases skip the generators (issue 12's
        # overhead budget on large linked suites)
        errors = data.get("errors")
        if errors:
            self.errors.extend(e for e in errors if e not in self.errors)
        for link in data.get("links", ()):
            self.tests_by_adr.setdefault(link["adr"], set()).add(report.nodeid)
        shipped = data.get("measurements")
        if shipped:
            self.measurements.extend(Measurement.from_json(m) for m in shipped)
        local = self._local_measurements.pop(report.nodeid, None)
        if local:
            self.measurements.extend(local)
        # a failure counts as shown only when the test is reported failed; an xfailed,
        # skipped or rerun test does not show it, so the session gate reports it instead
        excuse = _excuse(report)
        if excuse is not None:
            self.excused.setdefault(report.nodeid, excuse)
        if report.failed:
            self.reported_failures.update(data.get("failed", []))
        notes = data.get("notes")
        if notes:
            self.notes.extend(n for n in notes if n not in self.notes)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        """Judge every ADR once all tests ran; fail the run on enforced failures."""
        try:
            return (yield)
        finally:
            self.after_loop(session)

    def after_loop(self, session: pytest.Session) -> None:
        """Judge the gate; also after -x / --maxfail stopped the loop: what was measured.

        Called by :meth:`pytest_runtestloop`, or by the entry point for a session that was
        created during the loop (an xdist controller that learns of archgate from a report).
        """
        if not self.is_worker:
            self._gather_interrupted()
            self._take_late()
            self.judge()
            if self.session_failures or self.strict_failures or self.errors:
                session.testsfailed += 1

    def _gather_interrupted(self) -> None:
        """What the test running when the loop stopped recorded but never reported.

        ``pytest.exit()`` (or an interrupt) in a test or fixture leaves the loop without a
        report of that phase, so its measurements would otherwise never reach the gate and a
        violated criterion would end in the exit status ``pytest.exit`` asked for.
        """
        item = self.current_item
        if item is None:
            return
        test = self._test(item)
        if not test.links:
            return
        for link in test.links:
            self.tests_by_adr.setdefault(link.adr.id, set()).add(item.nodeid)
        self.measurements.extend(self._local_measurements.pop(item.nodeid, ()))
        rec = test.recorder
        if rec is not None:
            self.measurements.extend(rec.take(close=True))
        with self._late_lock:
            errors, test.thread_errors = test.thread_errors or [], None
        self.errors.extend(e for e in errors if e not in self.errors)
        self._unwatch_threads()

    def exit_floor(self, status_at_finish: int) -> int | None:
        """The exit status the gate insists on, or None when it has no say.

        A failed gate is at least ``TESTS_FAILED``; a run of a project with enforced criteria
        in which no test ran stays ``NO_TESTS_COLLECTED``. See :class:`ExitGuard`.
        """
        if self.session_failures or self.strict_failures or self.errors:
            return int(pytest.ExitCode.TESTS_FAILED)
        if any(res.enforced and res.verdict == "fail" for res in self.results):
            # shown as a failed test, then reset by pytest.exit(returncode=0) or a conftest
            return int(pytest.ExitCode.TESTS_FAILED)
        if status_at_finish == pytest.ExitCode.NO_TESTS_COLLECTED and any(
            a.enforced and a.criteria for a in self.log.adrs
        ):
            return int(pytest.ExitCode.NO_TESTS_COLLECTED)
        return None

    def _take_late(self) -> bool:
        """Move late measurements not yet counted into the run's errors; True when any."""
        with self._late_lock:
            fresh = self.late_errors[self._late_counted :]
            self._late_counted = len(self.late_errors)
        self.errors.extend(m for m in fresh if m not in self.errors)
        return bool(fresh)

    def judge(self) -> None:
        try:
            self.results = judge_all(
                self.log,
                self.measurements,
                self.tests_by_adr,
                family=self.family,
                base=self.baseline,
            )
        except ArchgateError as exc:
            self.errors.append(str(exc))
            self.results = []
            return
        for res in self.results:
            adr = res.adr
            for r in res.criteria + res.constraints:
                if r.error is not None:
                    self.errors.append(f"{adr.id} {r.criterion.name} [{r.option}]: {r.error}")
            if res.enforced and res.verdict == "fail":
                for r in res.failing:
                    if _failure_key(adr.id, r.criterion.name, r.option) not in (
                        self.reported_failures
                    ):
                        self.session_failures.append(r.message(adr) + self._excuse_note(adr, r))
            if res.enforced and self.strict:
                for r in res.violated_constraints:
                    self.strict_failures.append(f"needs review: {r.message(adr)}")
                for r in res.unmeasured:
                    self.strict_failures.append(f"unmeasured: {r.message(adr)}")

    def _excuse_note(self, adr: Adr, r: CriterionResult) -> str:
        """Why a failure shows here although a test measured it: its outcome was modified."""
        seen = [
            (t, self.excused[t])
            for t in r.tests
            if t in self.excused and self._violated_by(adr, r, t)
        ]
        if not seen:
            return ""
        parts = ", ".join(f"{t} {EXCUSE_TEXT[why]}" for t, why in seen)  # every _excuse() value
        return (
            f"; {parts}: xfail, skip and reruns do not excuse a violated criterion of an "
            "accepted decision"
        )

    def _violated_by(self, adr: Adr, r: CriterionResult, nodeid: str) -> bool:
        """Whether ``nodeid``'s own measurements violate ``r`` (a ``vs`` needs both sides)."""
        if r.criterion.vs is not None:
            return True
        mine = [
            m
            for m in self.measurements
            if m.nodeid == nodeid and m.adr == adr.id and m.option == r.option
        ]
        try:
            alone = judge_criterion(r.criterion, r.option, mine, role=r.role, enforced=True)
        except ArchgateError:
            return True
        return alone.verdict == "fail"

    # ------------------------------------------------------------------ output
    def report_data(self) -> Report:
        """The report as the terminal needs it (no git call, no environment probe)."""
        if self._report is None:
            self._report = self._build_report()
        return self._report

    def full_report(self) -> Report:
        """The report as written to disk and published: with environment and commit."""
        data = self.report_data()
        if "commit" not in data:
            from pytest_archgate.measure.environment import collect_environment, git_commit

            data["environment"] = collect_environment()
            data["commit"] = git_commit(self.rootdir)
        return data

    def _build_report(self) -> Report:
        successors = {}
        for res in self.results:
            succ = self.log.successor(res.adr)
            if succ is not None:
                successors[res.adr.id] = succ
        data = build_report(
            self.results,
            self.measurements,
            successors=successors,
            adr_dir=str(self.adr_dir) if self.adr_dir else None,
            rootdir=str(self.rootdir),
            errors=self.errors,
            extra={
                "data_fingerprints": sorted(
                    {m.fingerprint for m in self.measurements if m.fingerprint}
                ),
                "strict": self.strict,
                "family": cast("Family", self.family),  # the settings check it
                "session_failures": self.session_failures,
                "strict_failures": self.strict_failures,
                "notes": self.notes,
            },
        )
        b = self.baseline
        if b is not None:
            data["base_report"] = {
                "file": b.file,
                "commit": b.commit,
                "generated_at": b.generated_at,
                "stale": list(b.stale),
                "flags": list(b.flags),
                "paired_rows": b.paired_rows,
            }
        return data

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The ``archgate`` section: one row per ADR with criteria or linked tests.

        A project that does not use archgate (no criteria, no linked tests) gets at most one
        line: the unreadable ADR files that are not used for gating, and the report path
        when one was asked for.
        """
        if self.is_worker:
            return
        tr = terminalreporter
        if self.results or self.errors:
            self._write_section(tr)
        notice = self._log_notice()
        if notice is not None:
            tr.write_line(escape.line(notice), yellow=True)
        if self.report_path is not None:
            tr.write_line(escape.line(f"archgate report: {self.report_path}"))

    def _log_notice(self) -> str | None:
        """One line about ADR files that could not be read but are not used for gating."""
        n = len(self.log.warnings)
        if not n:
            return None
        # warnings come from files, so the log has its folder
        return (
            f"archgate: {n} ADR file{'s' if n != 1 else ''} in {self.log.directory} could not "
            "be read and "
            f"{'are' if n != 1 else 'is'} not used for gating (run `archgate lint` for details)"
        )

    def _write_section(self, tr: Any) -> None:
        tr.write_sep("=", "archgate")
        data = self.report_data()
        if data["adrs"]:
            for line in summary_lines(data["adrs"]):
                tr.write_line(escape.line(line))
            from pytest_archgate.measure.replicates import variance_line

            judged = [c for entry in data["adrs"] for c in entry.get("criteria") or []]
            if (variance := variance_line(judged)) is not None:
                tr.write_line(escape.line(variance))
            from pytest_archgate.report.text import restored_line

            for entry in data["adrs"]:
                cached = restored_line(data.get("measurements") or [], entry["id"])
                if cached is not None:
                    tr.write_line(escape.line(f"{entry['id']} {cached}"))
        from pytest_archgate.report.text import base_lines, comparison_lines
        from pytest_archgate.verdict.comparison import ranked

        if lines := base_lines(data["adrs"]):
            tr.write_line("")
            for line in lines:
                tr.write_line(escape.line(line))

        for entry in data["adrs"]:
            if (comparison := ranked(entry.get("comparison"))) is not None:
                tr.write_line("")
                for line in comparison_lines(comparison):
                    tr.write_line(escape.line(line))
        for msg in self.session_failures:
            tr.write_line(escape.line(f"FAILED (session) {msg}"), red=True)
        for msg in self.strict_failures:
            tr.write_line(escape.line(f"FAILED (--archgate-strict) {msg}"), red=True)
        for msg in self.errors:
            tr.write_line(escape.line(f"ERROR {msg}"), red=True)
        for msg in self.notes:
            tr.write_line(escape.line(f"note: {msg}"))
        for res in self.results:
            for r in res.violated_constraints:
                tr.write_line(
                    escape.line(
                        f"WARNING needs review: {r.message(res.adr)}: the decision's "
                        "assumptions no longer hold"
                    ),
                    yellow=True,
                )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the JSON report, publish to GitHub Actions, raise needs-review warnings."""
        if self.is_worker:
            # late measurements seen on this worker travel to the controller (testnodedown)
            output = getattr(self.config, "workeroutput", None)
            if output is not None:
                with self._late_lock:
                    output["archgate_late"] = list(self.late_errors)
            return
        if self._take_late():
            # a measurement arrived after the gate was judged: the run cannot pass
            self._report = None
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        for res in self.results:
            for r in res.violated_constraints:
                self._warn_needs_review(session, res, r)
        if os.environ.get("GITHUB_ACTIONS") == "true" and (self.results or self.errors):
            from pytest_archgate.github.actions import publish_run

            publish_run(
                self.full_report(),
                report_path=str(self.report_path) if self.report_path else None,
            )
        if self.report_path is not None:
            # always, also without an ADR folder or ADRs: CI steps read it unconditionally
            path = self._report_target()
            try:
                report = self.full_report()
                if any(c.vs == BASE_VS for a in self.log.adrs for c in a.criteria):
                    from pytest_archgate.report.baseline import write_rows

                    if (note := write_rows(report, self.measurements, path)) is not None:
                        report.setdefault("notes", []).append(note)  # type: ignore[union-attr]
                write_json_atomic(path, report)
            except OSError as exc:
                # a full disk, permissions changed during the run: one line, a failed run, and
                # no half-written report (the write goes through a temporary file)
                self.errors.append(
                    f"cannot write the report {path}: {exc.strerror or exc}; no report was written"
                )
                self.report_path = None
                if session.exitstatus == pytest.ExitCode.OK:
                    session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _warn_needs_review(
        self, session: pytest.Session, res: AdrResult, r: CriterionResult
    ) -> None:
        """A NeedsReviewWarning at the ADR line; with filterwarnings=error, a failed run."""
        message = (
            f"needs review: {r.message(res.adr)}: the decision's assumptions no longer hold; "
            "revisit the ADR"
        )
        _safe_source_lines(res.adr.path)
        try:
            warnings.warn_explicit(
                NeedsReviewWarning(message),
                category=NeedsReviewWarning,
                filename=str(res.adr.path),
                lineno=r.criterion.line or 1,
            )
        except Warning:
            # filterwarnings turned the warning into an error: fail the run, without a traceback
            self.errors.append(message)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


class ExitGuard:
    """Keeps the exit status of a failed gate from being reset to 0.

    A ``conftest.py`` that sets ``session.exitstatus = 0`` in its ``pytest_sessionfinish``
    (plain, ``tryfirst``, ``trylast`` or a hook wrapper), or ``pytest.exit(returncode=0)`` after
    a measurement, would otherwise turn a violated criterion of an accepted decision into a
    green build. The guard is the outermost wrapper of ``pytest_sessionfinish`` among the
    plugins registered before it and re-asserts the gate's status after them; a cleanup
    callback, run when pytest unconfigures (after every ``pytest_sessionfinish`` and
    ``pytest_unconfigure``, however the hooks were ordered), re-asserts it once more, since
    pytest returns ``session.exitstatus`` only after that. Only 0 is raised: any other
    non-zero status already fails the build.
    """

    def __init__(self, archgate: ArchgateSession) -> None:
        self.archgate = archgate
        self.session: pytest.Session | None = None
        self.status_at_finish = 0
        archgate.config.add_cleanup(self.reassert)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, None, None]:
        """Note the status pytest computed, let every other hook run, then re-assert."""
        self.session = session
        self.status_at_finish = int(session.exitstatus)
        try:
            return (yield)
        except SystemExit as exc:
            # sys.exit(0) in a hook would end the process before pytest returns its status
            floor = self.archgate.exit_floor(self.status_at_finish)
            if floor is not None and not exc.code:
                raise SystemExit(floor) from None
            raise
        finally:
            self.reassert()

    def reassert(self) -> None:
        session = self.session
        if session is None or self.archgate.is_worker:
            return
        floor = self.archgate.exit_floor(self.status_at_finish)
        if floor is not None and not session.exitstatus:
            session.exitstatus = floor


def _safe_source_lines(path: Path) -> None:
    """Let pytest's warning summary quote the ADR line through :func:`escape.line`.

    The summary prints the source line a warning points at; an ADR line is text from a pull
    request and could carry a workflow command. ``linecache`` entries without a modification
    time are kept as they are, so the escaped copy is what gets quoted.
    """
    import linecache

    from pytest_archgate.adr.files import MAX_ADR_BYTES
    from pytest_archgate.safe_io import read_regular

    try:  # the file may have been replaced (by a FIFO, say) since it was parsed
        text = read_regular(path, MAX_ADR_BYTES, "ADR file").decode("utf-8", "replace")
    except ArchgateError:
        text = ""  # nothing to quote; pytest must not open the file itself either
    lines = [escape.line(x) + "\n" for x in text.splitlines()]
    linecache.cache[str(path)] = (len(text), None, lines, str(path))
