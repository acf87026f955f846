"""Gradient clipping by global norm: rescale the whole gradient when it is too long.

Equations:  n = sqrt(sum over every array and entry of g^2)      (the global norm)
            c = min(1, max_norm / (n + 1e-6))
            g <- c * g

A gradient no longer than ``max_norm`` passes unchanged; a longer one keeps its
direction and is shortened to (just under) ``max_norm``. Clipping caps the step
of a plain gradient step at lr * max_norm, which keeps a run alive where a cliff
would otherwise throw it far away.

torch equivalent: ``torch.nn.utils.clip_grad_norm_(params, max_norm)`` (norm_type 2), which
computes the same coefficient with the same 1e-6 and clamps it to 1.
Reference: Pascanu, Mikolov & Bengio (2013), "On the difficulty of training
recurrent neural networks", ICML, Algorithm 1.
"""

from __future__ import annotations

import numpy as np

from . import _validate as check
from .params import Params, leaves, like

# torch adds this to the norm before dividing, so that a zero gradient gives no 0/0.
NORM_EPS = 1e-6


def global_norm(grads: Params) -> float:
    """sqrt of the sum of g^2 over every entry of every array of ``grads``."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for _, g in leaves(grads, "grads"))))


def clip_by_global_norm(grads: Params, max_norm: float) -> tuple[Params, float]:
    """``grads`` scaled by min(1, max_norm / (norm + 1e-6)), and their norm before clipping.

    ``grads`` is one float array or a list, tuple or dict of them; the result has the same
    structure and dtypes, and the caller's arrays are not modified.
    """
    max_norm = check.check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    coefficient = min(1.0, max_norm / (norm + NORM_EPS))
    if coefficient == 1.0:
        return grads, norm
    return like(grads, [(g * coefficient).astype(g.dtype) for _, g in leaves(grads, "grads")]), norm
