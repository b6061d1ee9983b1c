"""Whether a CUDA device is usable, for ``@pytest.mark.gpu`` and ``device: cuda`` criteria.

torch is imported here only when a GPU-marked test actually runs; the answer is cached for the
process.
"""

from __future__ import annotations

import functools
import os


@functools.cache
def cuda_unavailable_reason() -> str | None:
    """None when a CUDA device is usable, else a one-line reason."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return "CUDA_VISIBLE_DEVICES hides every device"
    try:
        import torch
    except ImportError:
        return "torch is not installed (pip install 'pytest-archgate[ml]')"
    try:
        if not torch.cuda.is_available():
            build = getattr(torch.version, "cuda", None)
            if build is None:
                return f"torch {torch.__version__} is a CPU-only build"
            return "torch.cuda.is_available() is False (no driver or device)"
        torch.empty(1, device="cuda")
    except Exception as exc:  # a broken driver raises many kinds of errors
        return f"CUDA initialisation failed: {type(exc).__name__}: {exc}"
    return None
