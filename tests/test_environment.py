"""Tests of pytest_archgate.measure.environment: facts, import hygiene, fingerprints, git commit.

Anything that needs torch imported runs in a subprocess, so that this test process keeps the
"heavy libraries are not imported" state other tests rely on.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pytest_archgate.measure import environment as E
from pytest_archgate.measure.environment import collect_environment, data_fingerprint, git_commit

ROOT = Path(__file__).resolve().parents[1]


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _torch_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


requires_torch = pytest.mark.skipif(not _torch_installed(), reason="needs torch installed")


def test_collect_environment_basic_facts() -> None:
    env = collect_environment()
    assert env["python"] == platform.python_version()
    assert env["cpu_count"] == os.cpu_count()
    assert isinstance(env["cpu_model"], str)
    assert env["cpu_model"]
    if hasattr(os, "sched_getaffinity"):
        assert env["cpu_affinity"] == len(os.sched_getaffinity(0))
    assert env["packages"]["numpy"] == np.__version__
    assert env["device"] is None
    assert "data_fingerprint" not in env
    json.dumps(env, allow_nan=False)


def test_thread_env_vars_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.setenv("MKL_NUM_THREADS", "2")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    threads = collect_environment()["threads"]
    assert threads["OMP_NUM_THREADS"] == "3"
    assert threads["MKL_NUM_THREADS"] == "2"
    assert "OPENBLAS_NUM_THREADS" not in threads


def test_static_part_is_memoised_and_not_shared() -> None:
    first = collect_environment()
    first["cpu_model"] = "mutated"
    before = E._static_facts.cache_info().hits
    second = collect_environment(device="cpu")
    assert E._static_facts.cache_info().hits == before + 1
    assert second["cpu_model"] != "mutated"
    assert second["device"] == "cpu"


def test_only_imported_libraries_are_reported() -> None:
    proc = _run_python(
        "import json, sys\n"
        "from pytest_archgate.measure.environment import collect_environment\n"
        "env = collect_environment(device='cpu', data=[1, 2, 3])\n"
        "bad = [m for m in ('torch', 'xgboost', 'sklearn', 'scipy', 'jax') if m in sys.modules]\n"
        "print(json.dumps({'env': env, 'imported': bad}))\n"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["imported"] == []
    assert set(out["env"]["packages"]) == {"numpy"}
    assert out["env"]["cuda"] is None
    assert "torch_num_threads" not in out["env"]["threads"]


def test_imported_sklearn_version_is_reported() -> None:
    pytest.importorskip("sklearn")
    proc = _run_python(
        "import json, sklearn\n"
        "from pytest_archgate.measure.environment import collect_environment\n"
        "print(json.dumps([collect_environment()['packages'], sklearn.__version__]))\n"
    )
    assert proc.returncode == 0, proc.stderr
    packages, version = json.loads(proc.stdout)
    assert packages["scikit-learn"] == version


@requires_torch
def test_torch_facts_when_torch_imported() -> None:
    proc = _run_python(
        "import json, torch\n"
        "from pytest_archgate.measure.environment import collect_environment, data_fingerprint\n"
        "env = collect_environment(device='cpu')\n"
        "t = torch.arange(6, dtype=torch.float32).reshape(2, 3)\n"
        "same = data_fingerprint(t) == data_fingerprint(t.numpy())\n"
        "bf = data_fingerprint(t.to(torch.bfloat16))\n"
        "print(json.dumps({'env': env, 'version': torch.__version__,\n"
        "                  'available': torch.cuda.is_available(),\n"
        "                  'threads': torch.get_num_threads(), 'same': same, 'bf': bf}))\n"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    env = out["env"]
    assert env["packages"]["torch"] == out["version"]
    assert env["threads"]["torch_num_threads"] == out["threads"]
    assert env["cuda"]["available"] is out["available"]
    if out["available"]:
        assert env["cuda"]["device_count"] >= 1
        device = env["cuda"]["devices"][0]
        assert device["name"]
        assert device["capability"].count(".") == 1
    # a tensor and the numpy array holding the same rows share a fingerprint
    assert out["same"] is True
    assert len(out["bf"]) == 16


# --------------------------------------------------------------------------------------------
# data fingerprint


def test_data_fingerprint_properties() -> None:
    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    fp = data_fingerprint(a)
    assert len(fp) == 16
    int(fp, 16)
    assert data_fingerprint(a.copy()) == fp
    assert data_fingerprint(np.asfortranarray(a)) == fp  # same values, C-order bytes
    assert data_fingerprint(a.reshape(4, 3)) != fp  # shape matters
    assert data_fingerprint(a.astype(np.float32)) != fp  # dtype matters
    b = a.copy()
    b[2, 3] += 1e-9
    assert data_fingerprint(b) != fp
    assert data_fingerprint(a.T) == data_fingerprint(np.ascontiguousarray(a.T))
    assert collect_environment(data=a)["data_fingerprint"] == fp


def test_data_fingerprint_lists_and_objects() -> None:
    assert data_fingerprint([1, 2, 3]) == data_fingerprint(np.array([1, 2, 3]))
    objs = np.array(["a", 1, None], dtype=object)
    assert data_fingerprint(objs) == data_fingerprint(objs.copy())
    assert data_fingerprint(np.array([], dtype=np.int8)) != data_fingerprint(
        np.array([], dtype=np.int16)
    )


# --------------------------------------------------------------------------------------------
# CUDA driver version parsing


def test_nvidia_driver_version_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    version_file = tmp_path / "version"
    version_file.write_text(
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n"
        "GCC version:  gcc version 12.2.0\n"
    )
    monkeypatch.setattr(E, "_NVIDIA_DRIVER_FILE", str(version_file))
    assert E._nvidia_driver_version() == "550.54.15"
    open_kernel = tmp_path / "open"
    open_kernel.write_text(
        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  560.35.03  Release Build\n"
    )
    monkeypatch.setattr(E, "_NVIDIA_DRIVER_FILE", str(open_kernel))
    assert E._nvidia_driver_version() == "560.35.03"
    monkeypatch.setattr(E, "_NVIDIA_DRIVER_FILE", str(tmp_path / "missing"))
    assert E._nvidia_driver_version() is None


# --------------------------------------------------------------------------------------------
# git commit


class _Completed:
    def __init__(self, returncode: int, stdout: str) -> None:
        self.returncode = returncode
        self.stdout = stdout


def test_git_commit_parses_output(monkeypatch: pytest.MonkeyPatch) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    calls: list[dict[str, Any]] = []

    def fake_run(args: list[str], **kwargs: Any) -> _Completed:
        calls.append({"args": args, **kwargs})
        return _Completed(0, sha + "\n")

    monkeypatch.setattr(E.subprocess, "run", fake_run)
    assert git_commit("/some/dir") == sha
    assert calls[0]["args"] == ["git", "rev-parse", "HEAD"]
    assert calls[0]["cwd"] == "/some/dir"
    assert calls[0]["timeout"] == 5.0


@pytest.mark.parametrize("behaviour", ["nonzero", "garbage", "timeout", "missing-git", "oserror"])
def test_git_commit_none_on_failure(monkeypatch: pytest.MonkeyPatch, behaviour: str) -> None:
    def fake_run(args: list[str], **kwargs: Any) -> _Completed:
        if behaviour == "nonzero":
            return _Completed(128, "")
        if behaviour == "garbage":
            return _Completed(0, "fatal: not a sha\n")
        if behaviour == "timeout":
            raise subprocess.TimeoutExpired(args, kwargs["timeout"])
        if behaviour == "missing-git":
            raise FileNotFoundError("git")
        raise PermissionError("denied")

    monkeypatch.setattr(E.subprocess, "run", fake_run)
    assert git_commit() is None


def test_git_commit_outside_a_repository(tmp_path: Path) -> None:
    # a directory that does not exist cannot be a work tree: None, never an exception
    assert git_commit(tmp_path / "does-not-exist") is None
