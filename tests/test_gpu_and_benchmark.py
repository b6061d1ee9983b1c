"""GPU markers, ``device: cuda`` criteria, and the pytest-benchmark bridge, black-box."""

from __future__ import annotations

import json

import pytest

from pytest_archgate.measure.gpu import cuda_unavailable_reason

NO_CUDA = cuda_unavailable_reason() is not None

ADR = """---
status: accepted
archgate:
  decision: mlp
  options: [mlp]
  acceptance:
    latency_gpu_p95: {metric: latency_p95_ms, max: 50, device: cuda}
    latency_cpu_p95: {metric: latency_p95_ms, max: 1000, device: cpu}
---
# Serve the MLP
"""

TESTS = """
import pytest

@pytest.mark.gpu
@pytest.mark.archgate("ADR-0001")
def test_cuda_latency(archgate):
    import torch
    x = torch.ones(8, device="cuda")
    archgate.latency(lambda: x * 2, device="cuda", max_seconds=1.0)

@pytest.mark.archgate("ADR-0001")
def test_cpu_latency(archgate):
    archgate.latency(lambda: sum(range(50)), max_seconds=0.5)
"""


@pytest.fixture
def gpu_project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".md", **{"adr/0001-serve": ADR})
    pytester.makepyfile(test_gpu=TESTS)
    return pytester


@pytest.mark.skipif(not NO_CUDA, reason="checks the behaviour without a CUDA device")
def test_gpu_test_skips_with_reason_and_cuda_criterion_stays_unmeasured(
    gpu_project: pytest.Pytester,
) -> None:
    result = gpu_project.runpytest("-rs", "--archgate-report=r.json")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*needs a CUDA device:*"])
    report = json.loads((gpu_project.path / "r.json").read_text())
    crit = {c["name"]: c for c in report["adrs"][0]["criteria"]}
    assert crit["latency_gpu_p95"]["verdict"] == "unmeasured"
    assert crit["latency_cpu_p95"]["verdict"] == "pass"
    assert report["adrs"][0]["verdict"] == "unmeasured"


@pytest.mark.skipif(not NO_CUDA, reason="checks the behaviour without a CUDA device")
def test_require_gpu_turns_the_skip_into_a_failure(gpu_project: pytest.Pytester) -> None:
    result = gpu_project.runpytest("--archgate-require-gpu")
    result.assert_outcomes(passed=1, errors=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*--archgate-require-gpu:*must not pass by skipping*"])
    assert "Traceback" not in result.stdout.str()


@pytest.mark.skipif(NO_CUDA, reason="needs a CUDA device")
def test_cuda_latency_is_measured_on_cuda(gpu_project: pytest.Pytester) -> None:
    result = gpu_project.runpytest("--archgate-report=r.json")
    result.assert_outcomes(passed=2)
    report = json.loads((gpu_project.path / "r.json").read_text())
    devices = {m["device"] for m in report["measurements"] if m["metric"] == "latency_p95_ms"}
    assert devices == {"cpu", "cuda"}
    assert any(m["metric"] == "peak_gpu_mem_mb" for m in report["measurements"])


def test_device_cuda_criterion_ignores_cpu_measurements(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", **{"adr/0001-serve": ADR})
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_record_cpu(archgate):
            archgate.record("latency_p95_ms", 1.0)
        """
    )
    result = pytester.runpytest("--archgate-report=r.json", "--archgate-strict")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*unmeasured: ADR-0001 latency_gpu_p95*"])


BENCH_ADR = """---
status: accepted
archgate:
  decision: fast
  acceptance:
    benchmark_median_ms: "<= 1000"
---
# Fast path
"""


def test_pytest_benchmark_statistics_are_recorded(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pytest_benchmark")
    # pytest-benchmark disables itself when it sees an xdist worker, and the in-process run
    # would inherit this suite's worker id when the suite itself runs under xdist
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makefile(".md", **{"adr/0001-fast": BENCH_ADR})
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_fast(archgate, benchmark):
            benchmark(lambda: sum(range(100)))
        """
    )
    result = pytester.runpytest("--archgate-report=r.json", "-p", "no:xdist")
    result.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "r.json").read_text())
    names = {m["metric"] for m in report["measurements"]}
    assert {"benchmark_median_ms", "benchmark_mean_ms", "benchmark_ops", "benchmark_p95_ms"} <= (
        names
    )
    assert report["adrs"][0]["verdict"] == "pass"


def test_pytest_benchmark_disabled_is_reported_not_silent(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_benchmark")
    pytester.makefile(".md", **{"adr/0001-fast": BENCH_ADR})
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_fast(archgate, benchmark):
            benchmark(lambda: sum(range(100)))
        """
    )
    result = pytester.runpytest("--archgate-report=r.json", "--benchmark-disable")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["note: *pytest-benchmark is disabled*"])
    report = json.loads((pytester.path / "r.json").read_text())
    assert report["adrs"][0]["verdict"] == "unmeasured"
    assert any("pytest-benchmark is disabled" in n for n in report["notes"])


def test_a_parametrize_id_named_gpu_is_not_the_gpu_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("device", ["cpu", "gpu"])
        def test_device_name(device):
            assert device in ("cpu", "gpu")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_environment_variables_sit_between_the_command_line_and_the_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makefile(".md", **{"decisions/0001-fast": BENCH_ADR})
    pytester.makeini("[pytest]\narchgate_report = from-ini.json\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_fast(archgate):
            archgate.record("benchmark_median_ms", 1.0)
        """
    )
    monkeypatch.setenv("ARCHGATE_ADR_DIR", "decisions")
    monkeypatch.setenv("ARCHGATE_REPORT", "from-env.json")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert (pytester.path / "from-env.json").is_file()
    assert not (pytester.path / "from-ini.json").exists()
    result = pytester.runpytest("--archgate-report=from-cli.json")
    assert (pytester.path / "from-cli.json").is_file()
