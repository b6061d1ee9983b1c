"""The run-time state of archgate in one pytest process, and the hooks that use it.

``plugin.py`` registers one :class:`ArchgateSession` per run. On an xdist worker it links tests
and records measurements; on the controller (or a serial run) it gathers the measurements from
test reports, judges every ADR once, applies the gate and writes the outputs. Measurements travel
from workers on the test reports (``report.archgate``), so serial and distributed runs go through
the same code path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from . import escape
from .adr import AdrLog, find_adr_dir, load_log
from .errors import ArchgateError, NeedsReviewWarning, SupersededAdrWarning
from .fixture import Archgate
from .linking import Link, links_for
from .measure import Measurement
from .report import build_report, write_json_atomic
from .terminal import summary_lines
from .verdicts import AdrResult, CriterionResult, judge_all, judge_criterion

LINKS_KEY = pytest.StashKey[Sequence[Link]]()
RECORDER_KEY = pytest.StashKey[Archgate]()
FAILED_KEY = pytest.StashKey[list[str]]()
PROBLEM_KEY = pytest.StashKey[str]()
NOTES_KEY = pytest.StashKey[list[str]]()


def _env_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _failure_key(adr: str, criterion: str, option: str | None) -> str:
    return f"{adr}\x1f{criterion}\x1f{option}"


class ArchgateSession:
    """State and hooks of archgate for one pytest process."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.is_worker = hasattr(config, "workerinput")
        # precedence everywhere: command line > ARCHGATE_* environment variable > ini key
        env = os.environ
        self.strict = bool(
            config.getoption("archgate_strict")
            or _env_flag(env.get("ARCHGATE_STRICT"))
            or config.getini("archgate_strict")
        )
        self.require_gpu = bool(
            config.getoption("archgate_require_gpu") or _env_flag(env.get("ARCHGATE_REQUIRE_GPU"))
        )
        report = (
            config.getoption("archgate_report")
            or env.get("ARCHGATE_REPORT")
            or config.getini("archgate_report")
        )
        self.report_path = Path(report) if report else None
        self.rootdir = Path(str(config.rootpath))
        configured = (
            config.getoption("archgate_adr_dir")
            or env.get("ARCHGATE_ADR_DIR")
            or config.getini("archgate_adr_dir")
        )
        self.adr_dir = find_adr_dir(self.rootdir, configured)
        if self.adr_dir is not None and not self.adr_dir.is_dir():
            raise pytest.UsageError(
                f"archgate: ADR folder {self.adr_dir} does not exist "
                "(set by --archgate-adr-dir or the archgate_adr_dir ini option)"
            )
        self.log: AdrLog = load_log(self.adr_dir, root=self.rootdir)
        if self.log.errors:
            lines = "\n  ".join(escape.text(e) for e in self.log.errors)
            raise pytest.UsageError(
                f"archgate: {len(self.log.errors)} ADR file(s) cannot be parsed "
                f"(run `archgate lint` for details):\n  {lines}"
            )
        dupes = self.log.duplicate_ids()
        if dupes:
            lines = "\n  ".join(
                escape.text(f"{v[0].id}: {', '.join(a.file for a in v)}") for v in dupes.values()
            )
            raise pytest.UsageError(f"archgate: duplicate ADR ids:\n  {lines}")

        # where per-row predictions wait for paired comparisons; made by the controller and
        # shared with the workers, only in projects that have ADRs
        self._own_scratch = False
        scratch = getattr(config, "workerinput", {}).get("archgate_scratch")
        if scratch is None and self.log.adrs:
            scratch = tempfile.mkdtemp(prefix="archgate-")
            self._own_scratch = True
        self.scratch = Path(scratch) if scratch else None

        self.measurements: list[Measurement] = []
        self.tests_by_adr: dict[str, set[str]] = {}
        self.reported_failures: set[str] = set()
        self.results: list[AdrResult] = []
        self.session_failures: list[str] = []
        self.strict_failures: list[str] = []
        self.errors: list[str] = []
        self.notes: list[str] = []
        self._report: dict[str, Any] | None = None
        self._local_measurements: dict[str, list[Measurement]] = {}
        self.current_item: pytest.Item | None = None

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        if self._own_scratch and self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """Hand the controller's scratch folder to each xdist worker."""
        if self.scratch is not None:
            node.workerinput["archgate_scratch"] = str(self.scratch)

    # ------------------------------------------------------------------ collection
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Resolve archgate markers; any bad marker stops the run with a usage error."""
        problems: list[str] = []
        for item in items:
            try:
                links = links_for(item, self.log)
            except ArchgateError as exc:
                problems.append(escape.text(exc))
                item.stash[PROBLEM_KEY] = escape.line(f"archgate: {exc}")
                continue
            if not links:
                continue
            item.stash[LINKS_KEY] = links
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
        problem = item.stash.get(PROBLEM_KEY, None)
        if problem is not None:
            pytest.fail(problem, pytrace=False)
        # Warned here, not at collection: every xdist worker collects every test, but each test
        # is set up once, so the warning is reported once (and filterwarnings=error errors the
        # test instead of crashing collection).
        for link in item.stash.get(LINKS_KEY, ()):
            adr = link.adr
            if adr.status in ("superseded", "deprecated"):
                succ = self.log.successor(adr)
                succ_text = (
                    f"; use {succ.id} ({succ.file}) instead"
                    if succ is not None
                    else (f"; superseded by {adr.superseded_by}" if adr.superseded_by else "")
                )
                warnings.warn(
                    SupersededAdrWarning(
                        escape.line(
                            f"{item.nodeid} is linked to {adr.id}, which is {adr.status}{succ_text}"
                        )
                    ),
                    stacklevel=1,
                )
        # a marker, not a keyword: a parametrize id "gpu" must not make a test need CUDA
        if item.get_closest_marker("gpu") is None:
            return
        from .gpu import cuda_unavailable_reason

        reason = cuda_unavailable_reason()
        if reason is None:
            return
        if self.require_gpu:
            pytest.fail(
                f"--archgate-require-gpu: {reason}; this GPU test must not pass by skipping",
                pytrace=False,
            )
        pytest.skip(f"needs a CUDA device: {reason}")

    def recorder(self, item: pytest.Item) -> Archgate:
        rec = item.stash.get(RECORDER_KEY, None)
        if rec is None:
            device = "cuda" if item.get_closest_marker("gpu") is not None else "cpu"
            rec = Archgate(
                item.nodeid, item.stash.get(LINKS_KEY, []), scratch=self.scratch, device=device
            )
            item.stash[RECORDER_KEY] = rec
        return rec

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """After a linked test body passed, judge the decision criteria it measured."""
        result = yield
        links = item.stash.get(LINKS_KEY, None)
        funcargs = getattr(item, "funcargs", {})
        if links and "benchmark" in funcargs:
            self._record_benchmark(item, funcargs["benchmark"])
        rec = item.stash.get(RECORDER_KEY, None)
        if rec is None or not rec.measurements:
            return result
        messages: list[str] = []
        failed: list[str] = []
        for link in item.stash.get(LINKS_KEY, []):
            adr = link.adr
            if adr.status != "accepted" or adr.decision is None:
                continue
            mine = [m for m in rec.measurements if m.adr == adr.id and m.option == adr.decision]
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
            item.stash[FAILED_KEY] = failed
            pytest.fail("\n".join(messages), pytrace=False)
        return result

    def _record_benchmark(self, item: pytest.Item, fixture: Any) -> None:
        """Record pytest-benchmark's statistics of a linked test (see benchmark_bridge)."""
        from .benchmark_bridge import benchmark_estimates

        estimates, note = benchmark_estimates(fixture)
        if note is not None:
            item.stash[NOTES_KEY] = [f"{item.nodeid}: {note}"]
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
        problem = item.stash.get(PROBLEM_KEY, None)
        if problem is not None and call.when == "setup":
            report.archgate = {"errors": [problem]}  # type: ignore[attr-defined]
            return report
        links = item.stash.get(LINKS_KEY, None)
        if not links:
            return report
        if call.when == "call" or (call.when == "setup" and report.outcome != "passed"):
            rec = item.stash.get(RECORDER_KEY, None)
            if rec is not None and not self.is_worker:
                self._local_measurements[report.nodeid] = rec.measurements
            report.archgate = {  # type: ignore[attr-defined]
                # a measurement the test could not make (NaN, one class, a raising callable)
                "errors": [f"{item.nodeid}: {error}"] if error else [],
                "links": [link.to_json() for link in links],
                # xdist ships reports between processes as JSON; in one process the objects
                # are handed over directly (the report itself stays serialisable)
                "measurements": [m.to_json() for m in rec.measurements]
                if rec and self.is_worker
                else [],
                "failed": item.stash.get(FAILED_KEY, []),
                "notes": item.stash.get(NOTES_KEY, []),
            }
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather links and measurements (on the controller, from every worker)."""
        data = getattr(report, "archgate", None)
        if not data or self.is_worker:
            return
        self.errors.extend(e for e in data.get("errors", []) if e not in self.errors)
        for link in data.get("links", []):
            self.tests_by_adr.setdefault(link["adr"], set()).add(report.nodeid)
        self.measurements.extend(Measurement.from_json(m) for m in data.get("measurements", []))
        self.measurements.extend(self._local_measurements.pop(report.nodeid, ()))
        self.reported_failures.update(data.get("failed", []))
        self.notes.extend(n for n in data.get("notes", []) if n not in self.notes)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        """Judge every ADR once all tests ran; fail the run on enforced failures."""
        try:
            return (yield)
        finally:
            # also after -x / --maxfail stopped the loop: judge what was measured
            if not self.is_worker:
                self.judge()
                if self.session_failures or self.strict_failures or self.errors:
                    session.testsfailed += 1

    def judge(self) -> None:
        try:
            self.results = judge_all(self.log, self.measurements, self.tests_by_adr)
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
                        self.session_failures.append(r.message(adr))
            if res.enforced and self.strict:
                for r in res.violated_constraints:
                    self.strict_failures.append(f"needs review: {r.message(adr)}")
                for r in res.unmeasured:
                    self.strict_failures.append(f"unmeasured: {r.message(adr)}")

    # ------------------------------------------------------------------ output
    def report_data(self) -> dict[str, Any]:
        """The report as the terminal needs it (no git call, no environment probe)."""
        if self._report is None:
            self._report = self._build_report()
        return self._report

    def full_report(self) -> dict[str, Any]:
        """The report as written to disk and published: with environment and commit."""
        data = self.report_data()
        if "commit" not in data:
            from .environment import collect_environment, git_commit

            data["environment"] = collect_environment()
            data["commit"] = git_commit(self.rootdir)
        return data

    def _build_report(self) -> dict[str, Any]:
        successors = {}
        for res in self.results:
            succ = self.log.successor(res.adr)
            if succ is not None:
                successors[res.adr.id] = succ
        return build_report(
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
                "session_failures": self.session_failures,
                "strict_failures": self.strict_failures,
                "notes": self.notes,
            },
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The ``archgate`` section: one row per ADR with criteria or linked tests."""
        if self.is_worker or (not self.results and not self.errors):
            return
        tr = terminalreporter
        tr.write_sep("=", "archgate")
        data = self.report_data()
        for line in summary_lines(data["adrs"]):
            tr.write_line(escape.line(line))
        from .comparison import comparison_lines

        for entry in data["adrs"]:
            if entry.get("comparison"):
                tr.write_line("")
                for line in comparison_lines(entry["comparison"]):
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
        if self.report_path is not None:
            tr.write_line(escape.line(f"archgate report: {self.report_path}"))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the JSON report, publish to GitHub Actions, raise needs-review warnings."""
        if self.is_worker:
            return
        for res in self.results:
            for r in res.violated_constraints:
                self._warn_needs_review(session, res, r)
        if os.environ.get("GITHUB_ACTIONS") == "true" and (self.results or self.errors):
            from .actions import publish_run

            publish_run(
                self.full_report(),
                report_path=str(self.report_path) if self.report_path else None,
            )
        if self.report_path is not None and (self.results or self.errors or self.log.adrs):
            path = self.report_path
            if not path.is_absolute():
                path = Path(str(self.config.invocation_params.dir)) / path
            write_json_atomic(path, self.full_report())

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


def _safe_source_lines(path: Path) -> None:
    """Let pytest's warning summary quote the ADR line through :func:`escape.line`.

    The summary prints the source line a warning points at; an ADR line is text from a pull
    request and could carry a workflow command. ``linecache`` entries without a modification
    time are kept as they are, so the escaped copy is what gets quoted.
    """
    import linecache

    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    lines = [escape.line(x) + "\n" for x in text.splitlines()]
    linecache.cache[str(path)] = (len(text), None, lines, str(path))
