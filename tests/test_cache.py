"""The evaluation cache, black-box: pytest runs twice (cold, warm) on a project in tmp_path.

The hostile entries come first: whatever an entry holds, a criterion the fresh measurement
fails still fails. Then what a hit restores (marked cached, with commit and date, the training
code not run), what misses (each dependency), the four modes, expiry, the replicate rule, paired
``vs`` criteria from restored rows, and xdist.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

from pytest_archgate.measure import cache
from pytest_archgate.report.load import load_report
from pytest_archgate.report.text import restored_line

ADR = """\
---
status: accepted
date: 2026-12-01
archgate:
  decision: a
  options: [a, b]
  acceptance:
    score: ">= {bound}"
    gain: {{metric: roc_auc, vs: b, min: 0.0}}
---
# Score
"""

TEST = """\
import json, os
from pathlib import Path

import numpy as np
import pytest

import helper

CONFIG = json.loads(os.environ.get("CFG", "{}"))


@pytest.mark.archgate("ADR-0001")
def test_score(archgate):
    with archgate.cache(config=CONFIG, files=["helper.py"], code=helper.train,
                        packages=["numpy"]) as cached:
        if not cached.hit:
            archgate.record("score", helper.train())
    with Path("hits.log").open("a") as fh:
        fh.write(f"{cached.hit}\\n")


@pytest.mark.parametrize("option", ["a", "b"])
@pytest.mark.archgate("ADR-0001")
def test_auc(archgate, option):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    with archgate.cache(data=y, config={"option": option}) as cached:
        if not cached.hit:
            noise = 0.8 if option == "a" else 1.6
            score = y + rng.normal(0, noise, 400)
            archgate.evaluate(y, score, ["roc_auc"], option=option)
"""

HELPER = """\
import os
from pathlib import Path


def train():
    with Path("trained.log").open("a") as fh:
        fh.write("trained\\n")
    return float(os.environ.get("SCORE", "0.7"))
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in list(os.environ):
        if name.startswith("ARCHGATE_") or name in ("SCORE", "CFG"):
            monkeypatch.delenv(name)
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-score.md").write_text(ADR.format(bound=0.5))
    (pytester.path / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    (pytester.path / "helper.py").write_text(HELPER)
    (pytester.path / "test_score.py").write_text(TEST)
    return pytester


def run(p: pytest.Pytester, *args: str, report: str = "r.json") -> pytest.RunResult:
    return p.runpytest_subprocess(
        "-p", "no:randomly", f"--archgate-report={report}", "-W", "default", *args
    )


def trainings(p: pytest.Pytester) -> int:
    log = p.path / "trained.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def entries(p: pytest.Pytester, folder: str = ".pytest_cache/d/archgate-evaluations") -> list[Path]:
    root = p.path / folder
    return sorted(root.glob("*.json")) if root.is_dir() else []


def score_entry(p: pytest.Pytester) -> Path:
    """The entry of test_score (the one whose measurement is ``score``)."""
    for path in entries(p):
        if '"metric":"score"' in path.read_text():
            return path
    raise AssertionError("no entry for test_score")


def measured(p: pytest.Pytester, report: str = "r.json") -> list[dict[str, object]]:
    return list(load_report(p.path / report).get("measurements") or [])


# --------------------------------------------------------------------------------------------
# hostile entries: written first. A fresh score of 0.3 fails ">= 0.5"; an entry that says 0.9
# must never make it pass.


def _forge(path: Path, how: str) -> None:
    data = json.loads(path.read_text())
    m = data["measurements"][0]
    m["estimate"]["value"] = 0.9
    if how == "key":
        data["key"] = "0" * 64
    elif how == "nan":
        path.write_text(path.read_text().replace('"value":0.7', '"value":NaN'))
        return
    elif how == "version":
        data["version"] = 2
    elif how == "schema":
        data["schema"] = "something-else"
    elif how == "types":
        m["estimate"]["value"] = "0.9"
    elif how == "dependencies":
        data["dependencies"]["config"] = {"edited": True}
    elif how == "other-adr":
        m["adr"] = "ADR-0009"
    elif how == "interval":
        m["estimate"]["intervals"] = {"0.95": [0.95, 0.8]}
    elif how == "not-json":
        path.write_text(path.read_text()[:-40])
        return
    elif how == "pickle":
        import pickle

        path.write_bytes(pickle.dumps(data))
        return
    elif how == "too-large":
        with path.open("r+b") as fh:
            fh.truncate(cache.MAX_ENTRY_BYTES + 1)  # sparse: cheap to make
        return
    elif how == "fifo":
        path.unlink()
        os.mkfifo(path)
        return
    elif how == "future":
        data["created"] = "2099-01-01T00:00:00+00:00"
    path.write_text(json.dumps(data))


HOSTILE = [
    "key",
    "nan",
    "version",
    "schema",
    "types",
    "dependencies",
    "other-adr",
    "interval",
    "not-json",
    "pickle",
    "too-large",
    "future",
    pytest.param("fifo", marks=pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")),
]


@pytest.mark.parametrize("how", HOSTILE)
def test_a_hostile_entry_never_makes_a_failing_criterion_pass(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)  # SCORE 0.7: the entry
    path = score_entry(project)
    _forge(path, how)
    monkeypatch.setenv("SCORE", "0.3")
    result = run(project, "test_score.py::test_score", report="bad.json")
    assert result.ret == 1, result.stdout.str()
    # a FIFO is also not replaced by the new entry: a second warning says it was not stored
    result.assert_outcomes(failed=1, warnings=2 if how == "fifo" else 1)
    text = result.stdout.str()
    assert "score [a] = 0.3 violates >= 0.5" in text
    # one line naming the file, and no traceback
    ignored = "CacheEntryWarning: archgate: evaluation cache entry ignored, recomputed"
    (warning,) = [line for line in text.splitlines() if ignored in line]
    assert "test_score.py:" in warning  # at the test's block
    assert path.name in warning
    assert "Traceback" not in text
    assert trainings(project) == 2  # recomputed
    (m,) = [m for m in measured(project, "bad.json") if m["metric"] == "score"]
    assert m["estimate"]["value"] == 0.3  # type: ignore[index]
    assert m["cache"]["restored"] is False  # type: ignore[index]
    if how != "fifo":  # the recomputed entry replaced the hostile one
        assert json.loads(path.read_text())["measurements"][0]["estimate"]["value"] == 0.3


def test_with_a_secret_a_well_formed_forged_entry_is_refused(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a secret the folder must be trusted (docs/cache.md); with one, only entries
    signed with it are read: a forged value with every field right is refused."""
    monkeypatch.setenv("ARCHGATE_CACHE_SECRET", "s3cret")
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    path = score_entry(project)
    assert "mac" in json.loads(path.read_text())
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    assert trainings(project) == 1  # a signed entry is read
    data = json.loads(path.read_text())
    data["measurements"][0]["estimate"]["value"] = 0.9
    path.write_text(json.dumps(data))
    monkeypatch.setenv("SCORE", "0.3")
    result = run(project, "test_score.py::test_score")
    assert result.ret == 1
    assert "not signed with this run's ARCHGATE_CACHE_SECRET" in result.stdout.str()
    monkeypatch.setenv("ARCHGATE_CACHE_SECRET", "another")
    result = run(
        project, "test_score.py::test_score"
    )  # the entry of 0.3 is signed with the old one
    assert result.ret == 1
    assert trainings(project) == 3


# --------------------------------------------------------------------------------------------
# cold, then warm


def test_warm_run_restores_the_measurements_marked_cached_without_training(
    project: pytest.Pytester,
) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project.path, check=True)
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ],
        cwd=project.path,
        check=True,
    )
    cold = run(project, report="cold.json")
    cold.assert_outcomes(passed=3)
    assert trainings(project) == 1
    assert "cached:" not in cold.stdout.str()
    assert len(entries(project)) == 3
    warm = run(project, report="warm.json")
    warm.assert_outcomes(passed=3)
    assert trainings(project) == 1  # the training code did not run
    assert (project.path / "hits.log").read_text().split() == ["False", "True"]
    text = warm.stdout.str()
    assert "ADR-0001 cached: 3 of 3 measurements restored from the evaluation cache" in text
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=project.path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert f"at commit {commit[:12]}" in text
    restored = measured(project, "warm.json")
    fresh = measured(project, "cold.json")
    assert all(m["cache"]["restored"] is True for m in restored)  # type: ignore[index]
    assert all(m["cache"]["commit"] == commit for m in restored)  # type: ignore[index]
    assert all(m["cache"]["restored"] is False for m in fresh)  # type: ignore[index]
    # the same numbers and the same verdicts, the paired vs criterion included
    assert [m["estimate"] for m in restored] == [m["estimate"] for m in fresh]
    cold_adr = load_report(project.path / "cold.json")["adrs"][0]
    warm_adr = load_report(project.path / "warm.json")["adrs"][0]
    keys = ("name", "option", "verdict", "value", "ci", "method")
    assert [{k: c.get(k) for k in keys} for c in warm_adr.get("criteria") or []] == [
        {k: c.get(k) for k in keys} for c in cold_adr.get("criteria") or []
    ]
    gain = next(c for c in warm_adr.get("criteria") or [] if c["name"] == "gain")
    assert str(gain.get("method")).startswith("paired-"), gain  # rows restored for the paired test
    # the renderings say so too
    html = project.path / "p.html"
    md = project.path / "p.md"
    from pytest_archgate.cli.main import main

    assert (
        main(["report", str(project.path / "warm.json"), "--html", str(html), "--md", str(md)]) == 0
    )
    assert "restored from the evaluation cache" in html.read_text()
    assert "restored from the evaluation cache" in md.read_text()
    from pytest_archgate.report.summary import render_comment

    assert "restored from the evaluation cache" in render_comment(
        load_report(project.path / "warm.json")
    )


@pytest.mark.parametrize(
    "change",
    ["config", "file", "code", "adr", "marker-option", "package"],
)
def test_a_changed_dependency_misses(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    assert trainings(project) == 1
    test_file = project.path / "test_score.py"
    if change == "config":
        monkeypatch.setenv("CFG", '{"lr": 0.1}')
    elif change == "file":
        with (project.path / "helper.py").open("a") as fh:
            fh.write("\n# a comment changes the file's hash\n")
    elif change == "code":
        helper = project.path / "helper.py"
        helper.write_text(helper.read_text().replace("def train():", "def train():  # edited"))
    elif change == "adr":
        (project.path / "adr" / "0001-score.md").write_text(ADR.format(bound=0.6))
    elif change == "marker-option":
        test_file.write_text(
            test_file.read_text().replace(
                '@pytest.mark.archgate("ADR-0001")\ndef test_score',
                '@pytest.mark.archgate("ADR-0001", option="b")\ndef test_score',
            )
        )
    elif change == "package":
        test_file.write_text(test_file.read_text().replace('["numpy"]', '["numpy", "pytest"]'))
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    assert trainings(project) == 2


def test_moving_a_criterion_to_another_line_of_the_adr_still_hits(
    project: pytest.Pytester,
) -> None:
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    adr = project.path / "adr" / "0001-score.md"
    adr.write_text(adr.read_text().replace("  acceptance:\n", "  acceptance:\n    # why\n"))
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    assert trainings(project) == 1


# --------------------------------------------------------------------------------------------
# modes, folder, expiry


def test_modes(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # off: neither read nor written
    run(project, "test_score.py::test_score", "--archgate-cache=off").assert_outcomes(passed=1)
    assert entries(project) == []
    # read: a cold run writes nothing
    run(project, "test_score.py::test_score", "--archgate-cache=read").assert_outcomes(passed=1)
    assert entries(project) == []
    assert trainings(project) == 2
    # write (the default): reads and writes
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    assert trainings(project) == 3
    # read: reads what is there
    run(project, "test_score.py::test_score", "--archgate-cache=read").assert_outcomes(passed=1)
    assert trainings(project) == 3
    # off: does not read it
    run(project, "test_score.py::test_score", "--archgate-cache=off").assert_outcomes(passed=1)
    assert trainings(project) == 4
    # refresh: never reads, rewrites
    before = score_entry(project).read_text()
    run(project, "test_score.py::test_score", "--archgate-cache=refresh").assert_outcomes(passed=1)
    assert trainings(project) == 5
    assert score_entry(project).read_text() != before  # a new origin and date
    # the environment and the ini key speak too (one resolver)
    (project.path / "pytest.ini").write_text("[pytest]\npythonpath = .\narchgate_cache = off\n")
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    assert trainings(project) == 6
    project.path.joinpath("pytest.ini").write_text("[pytest]\npythonpath = .\n")
    monkeypatch.setenv("ARCHGATE_CACHE", "refresh")
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    assert trainings(project) == 7


def test_cache_dir_and_no_pytest_cache(project: pytest.Pytester) -> None:
    # -p no:cacheprovider and no folder named: nothing is cached, nothing fails
    run(project, "test_score.py::test_score", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    run(project, "test_score.py::test_score", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert trainings(project) == 2
    args = ("test_score.py::test_score", "-p", "no:cacheprovider", "--archgate-cache-dir=ci-cache")
    run(project, *args).assert_outcomes(passed=1)
    run(project, *args).assert_outcomes(passed=1)
    assert trainings(project) == 3
    assert len(entries(project, "ci-cache")) == 1


def test_expired_entries_are_recomputed(project: pytest.Pytester) -> None:
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    path = score_entry(project)
    data = json.loads(path.read_text())
    data["created"] = "2026-01-01T00:00:00+00:00"  # long before the 7-day default
    path.write_text(json.dumps(data))
    result = run(project, "test_score.py::test_score", "--archgate-cache-max-age=3650d")
    result.assert_outcomes(passed=1)
    assert trainings(project) == 1
    result = run(project, "test_score.py::test_score")
    result.assert_outcomes(passed=1, warnings=1)
    assert "expired" in result.stdout.str()
    assert trainings(project) == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--archgate-cache=maybe",), "--archgate-cache: 'maybe' is not one of off, read"),
        (("--archgate-cache-max-age=soon",), "--archgate-cache-max-age: 'soon' is not an age"),
    ],
)
def test_bad_settings_are_usage_errors(
    project: pytest.Pytester, args: tuple[str, ...], words: str
) -> None:
    result = run(project, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert words in result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_recording_inside_a_hit_is_an_error(project: pytest.Pytester) -> None:
    run(project, "test_score.py::test_score").assert_outcomes(passed=1)
    test_file = project.path / "test_score.py"
    test_file.write_text(test_file.read_text().replace("if not cached.hit:", "if True:"))
    result = run(project, "test_score.py::test_score")
    result.assert_outcomes(failed=1)
    assert "skip the work when the block's hit is true" in result.stdout.str()


# --------------------------------------------------------------------------------------------
# replicates: a cache hit is not an independent replicate

REPLICATES = """\
import pytest


@pytest.mark.archgate("ADR-0001")
def test_seeds(archgate):
    for seed in (0, 1, 2):
        # the seed is not among the dependencies: every block has the same key
        with archgate.cache(config={"model": "m"}) as cached:
            if not cached.hit:
                archgate.record("score", 0.7 + seed / 100, ci=(0.6, 0.8),
                                replicate=f"seed-{seed}")
"""


def test_a_restored_value_never_counts_as_another_replicate(project: pytest.Pytester) -> None:
    (project.path / "test_score.py").write_text(REPLICATES)
    result = run(project)
    assert result.ret == 1
    text = result.stdout.str()
    assert "are one run: the evaluation cache restored the same measured value" in text
    assert "never counts as an independent replicate" in text


COPIED = """\
import pytest


@pytest.mark.archgate("ADR-0001")
def test_copies(archgate):
    with archgate.cache(config={"seed": 0}) as cached:
        if not cached.hit:
            archgate.record("score", 0.7, ci=(0.6, 0.8), replicate="seed-0")
    # the same value recorded again as another seed: still one run
    archgate.record_estimate("score", cached.estimates["score"], replicate="seed-1")
"""


@pytest.mark.parametrize("warm", [False, True], ids=["stored", "restored"])
def test_a_cached_estimate_recorded_again_is_still_one_run(
    project: pytest.Pytester, warm: bool
) -> None:
    (project.path / "test_score.py").write_text(COPIED)
    if warm:
        run(project, "--archgate-cache=off")  # nothing stored
        (project.path / "test_score.py").write_text(
            COPIED.replace("    archgate.record_estimate", "    pass  # ")
        )
        run(project).assert_outcomes(passed=1)  # stores seed-0
        (project.path / "test_score.py").write_text(COPIED)
    result = run(project)
    assert result.ret == 1
    assert "never counts as an independent replicate" in result.stdout.str()


def test_the_rule_holds_for_merged_reports(project: pytest.Pytester) -> None:
    """A cold report and a warm one merged: each seed appears as measured and as restored."""
    seeds = REPLICATES.replace('config={"model": "m"}', 'config={"seed": seed}')
    (project.path / "test_score.py").write_text(seeds)
    run(project, report="cold.json").assert_outcomes(passed=1)
    run(project, report="warm.json").assert_outcomes(passed=1)
    warm = json.loads((project.path / "warm.json").read_text())
    cold = json.loads((project.path / "cold.json").read_text())
    # the warm run's copies renamed as other seeds: still one run each
    for m in warm["measurements"]:
        m["replicate"] = m["replicate"].replace("seed", "rerun")
    (project.path / "warm.json").write_text(json.dumps(warm))
    from pytest_archgate.cli.main import main

    status = main(
        [
            "merge",
            str(project.path / "cold.json"),
            str(project.path / "warm.json"),
            "-o",
            str(project.path / "m.json"),
        ]
    )
    assert status != 0
    errors = json.loads((project.path / "m.json").read_text())["errors"]
    assert any("are one run" in e for e in errors), errors
    assert cold["summary"]["fail"] == 0


# --------------------------------------------------------------------------------------------
# xdist and concurrent writers


def test_under_xdist(project: pytest.Pytester) -> None:
    run(project, "-n", "2", report="cold.json").assert_outcomes(passed=3)
    assert len(entries(project)) == 3
    warm = run(project, "-n", "2", report="warm.json")
    warm.assert_outcomes(passed=3)
    assert trainings(project) == 1
    assert all(m["cache"]["restored"] for m in measured(project, "warm.json"))  # type: ignore[index]
    assert "cached: 3 of 3 measurements" in warm.stdout.str()


def test_concurrent_writers_of_one_key_leave_one_whole_entry(tmp_path: Path) -> None:
    key = "a" * 64
    payloads = [{"schema": cache.SCHEMA, "writer": i, "pad": "x" * 200_000} for i in range(8)]
    threads = [
        threading.Thread(target=cache.store_entry, args=(tmp_path, key, p)) for p in payloads
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = json.loads((tmp_path / f"{key}.json").read_text())
    assert data in payloads
    assert [p.name for p in tmp_path.iterdir()] == [f"{key}.json"]  # no temporary file left


def test_the_key_is_the_hash_of_canonical_json() -> None:
    a = cache.key_of({"b": [1, 2.5], "a": {"y": None, "x": "s"}})
    b = cache.key_of({"a": {"x": "s", "y": None}, "b": [1, 2.5]})
    assert a == b
    assert len(a) == 64
    with pytest.raises(ValueError, match="Out of range float"):
        cache.key_of({"x": float("nan")})


def test_dependencies_refuse_what_they_cannot_hash(tmp_path: Path) -> None:
    from pytest_archgate.errors import MeasurementError

    def deps(**kw: object) -> dict[str, object]:
        return cache.dependencies(name="", nodeid="t", links=[], family="none", root=tmp_path, **kw)  # type: ignore[arg-type]

    with pytest.raises(MeasurementError, match="does not exist"):
        deps(files=["missing.py"])
    with pytest.raises(MeasurementError, match="cannot read the source"):
        deps(code=[len])
    with pytest.raises(MeasurementError, match="must be JSON data"):
        deps(config={"x": float("inf")})
    with pytest.raises(MeasurementError, match="must be JSON data"):
        deps(config={"x": object()})
    assert deps(packages=["surely-not-installed-xyz"])["packages"] == {
        "surely-not-installed-xyz": None
    }
    import numpy as np

    x = np.arange(6.0)
    assert deps(data=x)["data"] != deps(data=x.reshape(2, 3))["data"]
    assert deps(data="fp")["data"] == ["fp"]


def test_the_restored_line_of_a_report_without_dates_or_commits() -> None:
    """Reports may come from elsewhere: missing provenance is said, never guessed or a crash."""
    restored = {"restored": True, "key": "", "origin": ""}
    ms = [
        {"adr": "A", "metric": "m", "estimate": {"value": 0}},
        {"adr": "A", "metric": "m", "option": "x", "estimate": {"value": 0}, "cache": restored},
    ]
    assert restored_line(ms, "A") == (
        "cached: 1 of 2 measurements restored from the evaluation cache, not measured in this "
        "run (m [x]); made at an unknown date (no commit known)"
    )
    assert restored_line(ms, "B") is None
    dated = {**restored, "created": "2026-12-07T00:09:29+00:00", "commit": "f" * 40}
    line = restored_line([{**ms[1], "cache": dated}], "A")
    assert line is not None
    assert line.endswith("made 2026-12-07T00:09:29 UTC at commit ffffffffffff")
