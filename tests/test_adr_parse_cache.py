"""The parse cache serves exactly what parsing gives, and never an old reading of a changed file.

Rules (pytest_archgate/adr/parse_cache.py, ADR-0022):

* a warm run gives the same records, errors and warnings as a cold parse, for every ADR of the
  real decision logs in ``../shared/adr-corpora``, the examples and this project;
* an edited file is parsed again, even when the edit keeps its size and its modification time;
* a change of the parser (its modules' sizes and times, Python, PyYAML) empties the cache;
* a cache file that is corrupt, of another format or with values of the wrong type is ignored
  and rewritten; a folder that cannot be written costs only time;
* a file that fails to parse is never cached; a file changed moments before it was read is
  not stored;
* the cache lives outside the project: nothing in the checkout can feed it;
* a violated criterion of an accepted ADR fails the run with a warm cache too (in-process and
  under xdist), and loosening or tightening the bound takes effect on the next run.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr import parse_cache
from pytest_archgate.adr.criteria import Criterion
from pytest_archgate.adr.log import AdrLog, load_log
from pytest_archgate.adr.model import Adr
from pytest_archgate.record import Record, replace

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "adr-corpora"

ADR = """\
---
status: accepted
date: 2026-11-24
archgate:
  decision: a
  options: [a, b]
  acceptance:
    score: ">= {bound}"
---
# Decision

## Context and Problem Statement

Cached or not, the same decision.
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("ARCHGATE_ADR_CACHE", raising=False)
    # files written by a test are seconds old: let them be stored (the racy rule has its test)
    monkeypatch.setattr(parse_cache, "RACY_SECONDS", 0.0)
    return home


def snapshot(log: AdrLog) -> tuple[list[str], list[str], list[str]]:
    records = [repr(sorted(adr.fields().items(), key=lambda kv: kv[0])) for adr in log]
    return records, [str(e) for e in log.errors], [str(w) for w in log.warnings]


def cache_files(home: Path) -> list[Path]:
    return sorted((home / "pytest-archgate" / "adr").glob("*.json"))


def adr_folders() -> list[Path]:
    roots = [ROOT / "adr", *sorted((ROOT / "examples").glob("*/adr"))]
    if CORPORA.is_dir():
        for path in sorted(CORPORA.rglob("*")):
            if path.is_dir() and any(f.suffix in (".md", ".rst") for f in path.iterdir()):
                roots.append(path)
    return roots


def test_a_warm_log_equals_a_cold_parse_for_every_real_adr(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not CORPORA.is_dir():
        pytest.skip("../shared/adr-corpora is not present")
    total = 0
    for folder in adr_folders():
        monkeypatch.setenv("ARCHGATE_ADR_CACHE", "0")
        cold = snapshot(load_log(folder))
        monkeypatch.delenv("ARCHGATE_ADR_CACHE")
        first = snapshot(load_log(folder))  # fills the cache
        warm = snapshot(load_log(folder))  # served from it
        assert first == cold, folder
        assert warm == cold, folder
        total += len(cold[0])
    assert total > 200
    assert cache_files(cache_home)


def test_a_warm_run_does_not_parse(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_archgate.adr import parse

    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    load_log(folder)

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although the cache holds the file")

    monkeypatch.setattr(parse, "parse_text", no_parsing)
    log = load_log(folder)
    assert log.adrs[0].acceptance[0].min == 0.5
    assert log.adrs[0].front_matter["date"] == datetime.date(2026, 11, 24)
    assert log.adrs[0].path == folder / "0001-a.md"


def test_an_edited_file_is_read_again_even_with_size_and_mtime_kept(
    cache_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "adr"
    folder.mkdir()
    path = folder / "0001-a.md"
    path.write_text(ADR.format(bound=0.5), encoding="utf-8")
    assert load_log(folder).adrs[0].acceptance[0].min == 0.5
    assert load_log(folder).adrs[0].acceptance[0].min == 0.5  # from the cache
    before = path.stat()
    path.write_text(ADR.format(bound=0.7), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old mtime
    assert path.stat().st_size == before.st_size
    assert load_log(folder).adrs[0].acceptance[0].min == 0.7


def test_a_parser_change_empties_the_cache(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    load_log(folder)
    assert parse_cache.ParseCache(folder).entries
    real = parse_cache.code_fingerprint()
    monkeypatch.setattr(parse_cache, "code_fingerprint", lambda: [*real, "another parser"])
    assert parse_cache.ParseCache(folder).entries == {}


def test_the_fingerprint_follows_the_parser_modules(tmp_path: Path) -> None:
    module = Path(parse_cache.__file__).with_name("parse.py")
    before = parse_cache.code_fingerprint()
    stat = module.stat()
    try:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert parse_cache.code_fingerprint() != before
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert parse_cache.code_fingerprint() == before


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"",
        b"[]",
        b'{"format": 999, "code": [], "entries": {}}',
        "garbage \udcff".encode("utf-8", "surrogateescape"),
    ],
)
def test_a_corrupt_cache_file_is_ignored_and_rewritten(
    cache_home: Path, tmp_path: Path, content: bytes
) -> None:
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    load_log(folder)
    [file] = cache_files(cache_home)
    file.write_bytes(content)
    log = load_log(folder)
    assert log.adrs[0].acceptance[0].min == 0.5
    assert not log.errors
    assert json.loads(file.read_text(encoding="utf-8"))["format"] == parse_cache.FORMAT


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", 1),
        ("id", None),
        ("has_archgate", "yes"),
        ("options", "a"),
        ("acceptance", [["score"]]),
        ("acceptance", [["score", "score", "acceptance", "0.9", None, False, False] + [None] * 4]),
        ("key_lines", {"status": "2"}),
        ("weights", {"score": "1"}),
        ("front_matter", {"\x00": "unknown-tag", "v": 1}),
        ("front_matter", []),
        ("tagged", []),
        ("tagged", {"front_matter": "date", "cost": []}),
        ("tagged", {"front_matter": [["no such key"]], "cost": []}),
        ("tagged", {"front_matter": [[0]], "cost": []}),
        ("tagged", {"front_matter": [["date", "deeper"]], "cost": []}),
        ("tagged", {"front_matter": [[1.5]], "cost": []}),
        ("tagged", {"front_matter": [[]], "cost": []}),
        ("tagged", {"cost": []}),
    ],
)
def test_an_entry_with_values_of_the_wrong_type_is_parsed_again(
    cache_home: Path, tmp_path: Path, field: str, value: Any
) -> None:
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    load_log(folder)
    [file] = cache_files(cache_home)
    data = json.loads(file.read_text(encoding="utf-8"))
    (entry,) = data["entries"].values()
    entry["adr"][field] = value
    file.write_text(json.dumps(data), encoding="utf-8")
    log = load_log(folder)
    assert [a.status for a in log] == ["accepted"]
    assert log.adrs[0].acceptance[0].min == 0.5


def test_an_unwritable_cache_folder_costs_only_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(parse_cache, "RACY_SECONDS", 0.0)
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    for _ in range(2):
        log = load_log(folder)
        assert log.adrs[0].acceptance[0].min == 0.5
        assert not log.errors


def test_the_cache_can_be_turned_off(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHGATE_ADR_CACHE", "off")
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    load_log(folder)
    assert cache_files(cache_home) == []


def test_a_broken_adr_is_never_cached(cache_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound="oops"), encoding="utf-8")
    for _ in range(2):
        log = load_log(folder)
        assert not log.adrs
        assert len(log.errors) == 1
        assert "score" in str(log.errors[0])
    assert all(not json.loads(f.read_text())["entries"] for f in cache_files(cache_home))


def test_a_file_changed_moments_ago_is_not_stored(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_cache, "RACY_SECONDS", 3600.0)
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    load_log(folder)
    assert parse_cache.ParseCache(folder).entries == {}


def test_old_folders_are_pruned(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_cache, "MAX_FILES", 2)
    for name in ("one", "two", "three"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
        load_log(folder)
    assert len(cache_files(cache_home)) == 2


def test_the_cache_lives_outside_the_project(cache_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "project" / "adr"
    folder.mkdir(parents=True)
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    load_log(folder)
    [file] = cache_files(cache_home)
    assert cache_home in file.parents
    assert not list((tmp_path / "project").rglob("*.json"))


def test_yaml_values_round_trip_exactly() -> None:
    tz = datetime.timezone(datetime.timedelta(hours=2))
    front = {
        "date": datetime.date(2026, 1, 2),
        "when": datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=tz),
        "naive": datetime.datetime(2026, 1, 2, 3, 4, 5),
        "blob": b"\x00\xff",
        "tags": {"a", "b"},
        "numbers": [1, 1.0, -0.0, float("inf"), 10**30, True, None],
        "keys": {2: "int", True: "bool", None: "none", datetime.date(2026, 1, 1): "date"},
        "nested": {"\x00": "not a tag here"},
    }
    back = parse_cache._dec(json.loads(json.dumps(parse_cache._enc(front))))
    assert back == front
    # repr shows the types (1 against 1.0, -0.0, the dates); a set's repr order follows the
    # string hash seed, so sets are compared as values only
    assert repr({k: v for k, v in back.items() if k != "tags"}) == repr(
        {k: v for k, v in front.items() if k != "tags"}
    )
    assert type(back["numbers"][1]) is float
    assert type(back["numbers"][0]) is int
    with pytest.raises(parse_cache._Unsupported):
        parse_cache._enc({"odd": object()})


def test_only_the_tagged_values_are_decoded_and_the_entry_stays_as_read() -> None:
    front = {
        "date": datetime.date(2026, 1, 2),
        "plain": {"list": [1, "two", {"three": 3.0}]},
        "deep": [{"when": datetime.date(2026, 3, 4)}, {"set": {"x"}}],
        "keys": {2: "int"},
    }
    encoded = json.loads(json.dumps(parse_cache._enc(front)))
    paths = list(parse_cache._tag_paths(encoded, ()))
    assert paths == [["date"], ["deep", 0, "when"], ["deep", 1, "set"], ["keys"]]
    as_read = copy.deepcopy(encoded)
    assert parse_cache._untag(encoded, paths) == front
    assert encoded == as_read  # what the cache file holds is written back as it was read
    assert parse_cache._untag({"a": [1]}, []) == {"a": [1]}
    whole = parse_cache._enc({1: "int key"})
    assert parse_cache._untag(whole, list(parse_cache._tag_paths(whole, ()))) == {1: "int key"}


def test_entries_served_from_the_cache_are_written_back_intact(
    cache_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0001-a.md").write_text(ADR.format(bound=0.5), encoding="utf-8")
    (folder / "0002-b.md").write_text(ADR.format(bound=0.6), encoding="utf-8")
    cold = snapshot(load_log(folder))
    # 0001 is served from the cache while 0002 is parsed again: the file is rewritten
    (folder / "0002-b.md").write_text(ADR.format(bound=0.7), encoding="utf-8")
    load_log(folder)
    (folder / "0002-b.md").write_text(ADR.format(bound=0.6), encoding="utf-8")
    assert snapshot(load_log(folder)) == cold
    assert snapshot(load_log(folder)) == cold  # and read again from what was written


def test_every_adr_field_is_cached() -> None:
    assert set(parse_cache.ADR_FIELDS) == set(Adr.__slots__)
    assert Criterion.__slots__ == parse_cache.CRITERION_FIELDS


# ------------------------------------------------------------------------ records
def test_records_are_immutable_values() -> None:
    a = Criterion("score", "score", min=0.5)
    b = Criterion("score", "score", min=0.5)
    assert a == b
    assert hash(a) == hash(b)
    assert a is not b
    assert a != Criterion("score", "score", min=0.6)
    assert a != ("score", "score")
    assert (a == object()) is False
    with pytest.raises(AttributeError, match="immutable"):
        a.min = 0.1  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del a.min  # type: ignore[misc]
    assert a.replace(min=0.9).min == 0.9
    assert a.min == 0.5
    assert replace(a, confidence=0.95).confidence == 0.95
    with pytest.raises(TypeError, match="no field 'minimum'"):
        a.replace(minimum=1)
    assert repr(a).startswith("Criterion(name='score', metric='score', kind='acceptance', min=0.5")
    assert pickle.loads(pickle.dumps(a)) == a
    assert copy.deepcopy(a) == a
    assert copy.copy(a) == a


def test_a_record_built_from_its_fields_is_the_record_its_init_builds() -> None:
    """The parse cache's fast path (``_from_fields``, slots set directly) gives the same
    immutable value as ``__init__``, and refuses a wrong number of values."""
    made = Criterion("lat", "latency_ms", max=100.0, confidence=0.95, line=9)
    fast = Criterion._from_fields([made.fields()[name] for name in Criterion.__slots__])
    assert fast == made
    assert hash(fast) == hash(made)
    assert repr(fast) == repr(made)
    with pytest.raises(AttributeError, match="immutable"):
        fast.max = 1.0  # type: ignore[misc]
    for values in (list(made.fields().values())[:-1], [*made.fields().values(), None]):
        with pytest.raises(ValueError, match=r"zip\(\) argument 2 is (shorter|longer)"):
            Criterion._from_fields(values)


def test_adrs_are_equal_only_to_themselves() -> None:
    one = Adr(id="ADR-0001", title="t", path=Path("a.md"), file="a.md", status="accepted")
    two = Adr(id="ADR-0001", title="t", path=Path("a.md"), file="a.md", status="accepted")
    assert one == one
    assert one != two
    assert len({one, two}) == 2
    assert one.front_matter == {}
    assert one.cost == {}
    assert one.key_lines == {}
    moved = one.replace(file="b.md")
    assert moved.file == "b.md"
    assert moved.id == one.id
    assert isinstance(moved, Record)


def test_a_plain_dataclass_is_replaced_too() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Point:
        x: int

    assert replace(Point(1), x=2) == Point(2)


# ------------------------------------------------------------------------ the gate
GATED = """\
---
status: accepted
date: 2026-11-24
archgate:
  acceptance:
    score: ">= {bound}"
---
# Keep the score up
"""

TESTS = """\
import pytest

@pytest.mark.archgate("ADR-0001")
def test_score(archgate):
    archgate.record("score", 0.8)
"""


@pytest.mark.parametrize("xdist", [False, True], ids=["in-process", "xdist"])
def test_a_violated_criterion_fails_with_a_warm_cache(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist: bool
) -> None:
    # subprocess runs cannot see a monkeypatched RACY_SECONDS: the file is dated back instead
    # (the ctime cannot be, so the cache stores it only once it is older than RACY_SECONDS)
    monkeypatch.setattr(parse_cache, "RACY_SECONDS", 0.0)
    pytester.makeini("[pytest]\n")
    adr = pytester.path / "adr" / "0001-score.md"
    adr.parent.mkdir()
    pytester.makepyfile(test_score=TESTS)
    args = ["-p", "xdist", "-n", "2"] if xdist else []

    def run(bound: float) -> int:
        adr.write_text(GATED.format(bound=bound), encoding="utf-8")
        load_log(adr.parent)  # this process: warm the cache for the run below
        if xdist:
            return int(pytester.runpytest_subprocess(*args).ret)
        return int(pytester.runpytest(*args).ret)

    assert run(0.9) == 1  # violated
    assert run(0.9) == 1  # violated, with the parse cache warm
    assert run(0.5) == 0  # loosened: passes
    assert run(0.95) == 1  # tightened again: fails again
