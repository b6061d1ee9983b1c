"""Facts about the machine and software a measurement was taken on.

A latency or metric number is only comparable with another one taken on the same kind of
machine, with the same thread settings and library versions: single-row latency in particular
changes several-fold with ``OMP_NUM_THREADS``, CPU affinity or a different BLAS. Every
measurement therefore carries the dictionary returned by :func:`collect_environment`, so that a
report can show (and a reviewer can check) what the number depends on.

Importing heavy libraries just to ask for their version would distort the very process being
measured (and costs seconds), so this module never imports torch, xgboost, scikit-learn, scipy
or jax: it reports on them only when they are already in :data:`sys.modules`. The static parts
(CPU model, Python build, CUDA device properties) are read once per process and memoised.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import platform
import re
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt


__all__ = [
    "THREAD_ENV_VARS",
    "collect_environment",
    "data_fingerprint",
    "git_commit",
    "git_hash",
]

#: Environment variables that change how many threads numerical libraries use, or how they
#: spin and bind them; each of them can move single-row latency by a large factor.
THREAD_ENV_VARS: tuple[str, ...] = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "TORCH_NUM_THREADS",
    "OMP_DYNAMIC",
    "MKL_DYNAMIC",
    "OMP_PROC_BIND",
    "OMP_PLACES",
    "OMP_WAIT_POLICY",
    "KMP_AFFINITY",
    "KMP_BLOCKTIME",
    "GOMP_SPINCOUNT",
    "CUDA_VISIBLE_DEVICES",
    "CUDA_LAUNCH_BLOCKING",
)

#: Import name -> distribution name of the libraries whose version is reported when (and only
#: when) they are already imported.
_OPTIONAL_LIBRARIES: dict[str, str] = {
    "torch": "torch",
    "xgboost": "xgboost",
    "sklearn": "scikit-learn",
    "scipy": "scipy",
    "jax": "jax",
    "jaxlib": "jaxlib",
    "lightgbm": "lightgbm",
    "onnxruntime": "onnxruntime",
    "pandas": "pandas",
}

_NVIDIA_DRIVER_FILE = "/proc/driver/nvidia/version"


def collect_environment(*, device: str | None = None, data: Any = None) -> dict[str, Any]:
    """Return JSON-serialisable facts about this process's machine and libraries.

    Keys: ``python``, ``python_implementation``, ``platform``, ``machine``, ``cpu_model``,
    ``cpu_count`` (logical CPUs), ``cpu_affinity`` (CPUs this process may run on, ``None``
    where the OS cannot say), ``cpu_governor`` (Linux cpufreq governor of CPU 0, or ``None``),
    ``threads`` (the set variables of :data:`THREAD_ENV_VARS`, plus ``torch_num_threads`` and
    ``torch_num_interop_threads`` when torch is imported), ``packages`` (numpy and the already
    imported optional libraries), ``device`` (as passed), ``cuda`` (``None`` unless torch is
    imported; then availability, runtime/cuDNN/driver versions and per-device name, compute
    capability and memory) and, when ``data`` is given, ``data_fingerprint``
    (see :func:`data_fingerprint`).

    Repeated calls are cheap: the static facts are computed once per process.
    """
    env: dict[str, Any] = copy.deepcopy(_static_facts())
    env["cpu_affinity"] = _cpu_affinity()
    env["threads"] = _thread_settings()
    env["packages"] = _package_versions()
    env["device"] = device
    env["cuda"] = _cuda_facts(device)
    if data is not None:
        env["data_fingerprint"] = data_fingerprint(data)
    return env


def data_fingerprint(data: Any) -> str:
    """First 16 hex characters of the SHA-256 of ``data``'s shape, dtype and bytes.

    Accepts anything :func:`numpy.asarray` accepts, and torch tensors (on any device). Two
    arrays get the same fingerprint exactly when they have the same shape, dtype (byte order
    included) and element bytes in C order, so a tensor and the numpy array holding the same
    rows match; object arrays are hashed through ``repr`` of their elements, which is stable
    for numbers and strings.
    """
    import numpy as np

    arr, dtype_name, shape = _as_array(data)
    digest = hashlib.sha256()
    digest.update(repr(shape).encode())
    digest.update(b"|")
    digest.update(dtype_name.encode())
    digest.update(b"|")
    if arr.dtype.hasobject:
        digest.update(repr(arr.tolist()).encode())
    else:
        flat = np.ascontiguousarray(arr).reshape(-1)
        digest.update(flat.view(np.uint8).data)
    return digest.hexdigest()[:16]


def git_commit(cwd: str | os.PathLike[str] | None = None, *, timeout: float = 5.0) -> str | None:
    """The commit ``HEAD`` points to in the git work tree at ``cwd``, or ``None``.

    ``None`` when git is not installed, ``cwd`` is not inside a repository, the repository has
    no commit yet, or git does not answer within ``timeout`` seconds.
    """
    return git_hash(["rev-parse", "HEAD"], cwd, timeout=timeout)


def git_hash(
    args: Sequence[str], cwd: str | os.PathLike[str] | None = None, *, timeout: float = 5.0
) -> str | None:
    """The full commit hash (SHA-1 or SHA-256) ``git ARGS`` prints in ``cwd``, or ``None``:
    git missing, not a repository, an unknown commit, a timeout, or any other output."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if proc.returncode != 0:
        return None
    commit = proc.stdout.strip()
    if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit) is None:
        return None
    return commit


# --------------------------------------------------------------------------------------------
# static facts (memoised)


@functools.cache
def _static_facts() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_governor": _cpu_governor(),
    }


def _cpu_model() -> str | None:
    """CPU model name from ``/proc/cpuinfo`` (Linux), else from :mod:`platform`."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                key, sep, value = line.partition(":")
                if sep and key.strip() in ("model name", "Model", "cpu model", "Hardware"):
                    name = value.strip()
                    if name:
                        return name
    except OSError:
        pass
    name = platform.processor() or platform.machine()
    return name or None


def _cpu_governor() -> str | None:
    try:
        with open("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", encoding="utf-8") as fh:
            return fh.read().strip() or None
    except OSError:
        return None


# --------------------------------------------------------------------------------------------
# dynamic facts


def _cpu_affinity() -> int | None:
    getaffinity = getattr(os, "sched_getaffinity", None)
    if getaffinity is None:
        return None
    try:
        return len(getaffinity(0))
    except OSError:
        return None


def _thread_settings() -> dict[str, Any]:
    threads: dict[str, Any] = {
        name: os.environ[name] for name in THREAD_ENV_VARS if name in os.environ
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            threads["torch_num_threads"] = int(torch.get_num_threads())
            threads["torch_num_interop_threads"] = int(torch.get_num_interop_threads())
        except Exception:  # a half-initialised or stubbed torch must not break reporting
            pass
    return threads


def _package_versions() -> dict[str, str | None]:
    # numpy is reported from sys.modules like the rest: importing it here would cost every
    # pytest run ~0.1 s for a version string
    np_mod = sys.modules.get("numpy")
    versions: dict[str, str | None] = {"numpy": getattr(np_mod, "__version__", None)}
    for module_name, dist_name in _OPTIONAL_LIBRARIES.items():
        module = sys.modules.get(module_name)
        if module is None:
            continue
        version = getattr(module, "__version__", None)
        if version is None:
            try:
                version = metadata.version(dist_name)
            except metadata.PackageNotFoundError:
                version = None
        versions[dist_name] = None if version is None else str(version)
    return versions


def _cuda_facts(device: str | None) -> dict[str, Any] | None:
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    facts = dict(_cuda_static(torch))
    facts["devices"] = [dict(d) for d in facts.get("devices", [])]
    if facts.get("available") and device is not None and device.startswith("cuda"):
        try:
            index = torch.device(device).index
            facts["selected"] = (
                int(index) if index is not None else int(torch.cuda.current_device())
            )
        except Exception:
            facts["selected"] = None
    return facts


@functools.cache
def _cuda_static(torch: Any) -> dict[str, Any]:
    """CUDA availability, versions and device properties; read once per process."""
    try:
        available = bool(torch.cuda.is_available())
    except Exception:
        available = False
    version = getattr(getattr(torch, "version", None), "cuda", None)
    facts: dict[str, Any] = {
        "available": available,
        "runtime_version": None if version is None else str(version),
    }
    if not available:
        return facts
    try:
        cudnn = torch.backends.cudnn.version()
    except Exception:
        cudnn = None
    facts["cudnn_version"] = None if cudnn is None else int(cudnn)
    facts["driver_version"] = _nvidia_driver_version()
    devices: list[dict[str, Any]] = []
    try:
        count = int(torch.cuda.device_count())
        for index in range(count):
            props = torch.cuda.get_device_properties(index)
            devices.append(
                {
                    "index": index,
                    "name": str(props.name),
                    "capability": f"{int(props.major)}.{int(props.minor)}",
                    "total_memory_mb": round(float(props.total_memory) / 2**20, 1),
                    "multi_processor_count": int(props.multi_processor_count),
                }
            )
    except Exception as exc:  # report what we could read rather than fail the measurement
        facts["error"] = f"{type(exc).__name__}: {exc}"
    facts["device_count"] = len(devices)
    facts["devices"] = devices
    return facts


def _nvidia_driver_version() -> str | None:
    """The NVIDIA kernel-module (driver) version, e.g. ``"550.54.15"``, on Linux."""
    try:
        with open(_NVIDIA_DRIVER_FILE, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return None
    match = re.search(r"Kernel Module(?:\s+for\s+\S+)?\s+([0-9][0-9.]*)", text)
    return match.group(1) if match else None


# --------------------------------------------------------------------------------------------
# fingerprint helpers


def _as_array(data: Any) -> tuple[npt.NDArray[Any], str, tuple[int, ...]]:
    import numpy as np

    """``data`` as a numpy array, plus the dtype name and shape that go into the fingerprint."""
    if hasattr(data, "detach") and hasattr(data, "cpu") and hasattr(data, "numpy"):
        tensor = data.detach().cpu().contiguous()
        shape = tuple(int(d) for d in tensor.shape)
        try:
            arr = np.asarray(tensor.numpy())
            return arr, arr.dtype.str, shape  # same fingerprint as the equal numpy array
        except (TypeError, RuntimeError):
            # dtypes numpy lacks (bfloat16, float8...): hash the raw bytes instead.
            import torch  # already imported: ``data`` is a tensor

            raw = tensor.reshape(-1).view(torch.uint8).numpy()
            return np.asarray(raw), str(tensor.dtype), shape
    arr = np.asarray(data)
    return arr, arr.dtype.str, tuple(int(d) for d in arr.shape)
