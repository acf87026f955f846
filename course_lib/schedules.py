"""Learning-rate schedules: the rate alpha_t of each update, from the optimizer's rate alpha.

    >>> from course_lib import GradientDescent, descend, get_landscape
    >>> from course_lib.schedules import CosineAnnealing
    >>> CosineAnnealing(total_steps=100).rates(lr=0.1, steps=3)
    array([0.1       , 0.09997533, 0.09990134])
    >>> run = descend(GradientDescent(lr=0.1), get_landscape("bowl"), steps=100, schedule=CosineAnnealing(100))

Update t (t = 1 at the first) uses ``rates(lr, steps)[t - 1]``; ``lr`` is the optimizer's own
rate, the peak of the schedule. The closed forms, with k = t - 1 scheduler steps taken:

    StepDecay        alpha_t = alpha * gamma^floor(k / step_size)
    CosineAnnealing  alpha_t = min_lr + (alpha - min_lr) * (1 + cos(pi * k / total_steps)) / 2
    LinearWarmup     alpha_t = alpha * (f + (1 - f) * min(k, warmup_steps) / warmup_steps)
    WarmupCosine     LinearWarmup for the first warmup_steps updates, then CosineAnnealing
                     over the remaining total_steps - warmup_steps

Each class computes a rate from the previous one (``following``), exactly as
torch.optim.lr_scheduler does (StepLR, CosineAnnealingLR, LinearLR and SequentialLR), so that
the two agree to the last bit; the closed forms above agree with them to a few units in the
last place (tests/test_schedules.py checks both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validate as check


class Schedule:
    """Base class: the first rate, and each rate from the one before (torch's "chainable" form)."""

    def first(self, lr: float) -> float:
        """The rate of update 1."""
        return lr

    def following(self, previous: float, k: int, lr: float) -> float:
        """The rate after k scheduler steps (k >= 1), from the rate after k - 1."""
        raise NotImplementedError

    def rates(self, lr: float, steps: int) -> np.ndarray:
        """The rate of each of ``steps`` updates, starting from the optimizer's rate ``lr``."""
        lr = check.check_positive("lr", lr)
        steps = check.check_positive_int("steps", steps)
        out = [self.first(lr)]
        for k in range(1, steps):
            out.append(self.following(out[-1], k, lr))
        return np.array(out)

    def __call__(self, t: int, lr: float) -> float:
        """The rate of update ``t`` (t = 1 at the first) for the optimizer's rate ``lr``."""
        return float(self.rates(lr, check.check_positive_int("t", t))[-1])


def _fraction(name: str, value: float) -> float:
    value = check.check_number(name, value)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return value


def _non_negative(name: str, value: float) -> float:
    value = check.check_number(name, value)
    if value < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


@dataclass(frozen=True)
class StepDecay(Schedule):
    """Multiply the rate by ``gamma`` every ``step_size`` updates (torch's StepLR)."""

    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "step_size", check.check_positive_int("step_size", self.step_size))
        object.__setattr__(self, "gamma", _fraction("gamma", self.gamma))

    def following(self, previous: float, k: int, lr: float) -> float:
        return previous * self.gamma if k % self.step_size == 0 else previous


@dataclass(frozen=True)
class CosineAnnealing(Schedule):
    """Half a cosine from the optimizer's rate down to ``min_lr`` over ``total_steps`` (torch's CosineAnnealingLR).

    Past ``total_steps`` the cosine goes on, as torch's does: the rate rises again over the next
    ``total_steps`` updates.
    """

    total_steps: int
    min_lr: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_steps", check.check_positive_int("total_steps", self.total_steps))
        object.__setattr__(self, "min_lr", _non_negative("min_lr", self.min_lr))

    def following(self, previous: float, k: int, lr: float) -> float:
        T = self.total_steps
        if (k - 1 - T) % (2 * T) == 0:  # just past a trough the ratio below is 0/0: add the first rise directly
            return previous + (lr - self.min_lr) * (1 - math.cos(math.pi / T)) / 2
        # alpha_k - min_lr = (alpha_{k-1} - min_lr) * (1 + cos(pi k / T)) / (1 + cos(pi (k - 1) / T))
        ratio = (1 + math.cos(math.pi * k / T)) / (1 + math.cos(math.pi * (k - 1) / T))
        return ratio * (previous - self.min_lr) + self.min_lr


@dataclass(frozen=True)
class LinearWarmup(Schedule):
    """Start at ``start_factor`` times the rate and grow linearly to the full rate over ``warmup_steps``
    updates, then stay there (torch's LinearLR with end_factor 1)."""

    warmup_steps: int
    start_factor: float = 1.0 / 3.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "warmup_steps", check.check_positive_int("warmup_steps", self.warmup_steps))
        object.__setattr__(self, "start_factor", _fraction("start_factor", self.start_factor))

    def first(self, lr: float) -> float:
        return lr * self.start_factor

    def following(self, previous: float, k: int, lr: float) -> float:
        if k > self.warmup_steps:
            return previous
        f, n = self.start_factor, self.warmup_steps
        # alpha_k / alpha_{k-1} = (f + (1 - f) k / n) / (f + (1 - f) (k - 1) / n), written as torch writes it
        return previous * (1.0 + (1.0 - f) / (n * f + (k - 1) * (1.0 - f)))


@dataclass(frozen=True)
class WarmupCosine(Schedule):
    """``LinearWarmup`` for ``warmup_steps`` updates, then ``CosineAnnealing`` over the rest of ``total_steps``
    (torch's SequentialLR of LinearLR and CosineAnnealingLR, milestone at warmup_steps)."""

    warmup_steps: int
    total_steps: int
    start_factor: float = 1.0 / 3.0
    min_lr: float = 0.0

    def __post_init__(self) -> None:
        warmup = check.check_positive_int("warmup_steps", self.warmup_steps)
        total = check.check_positive_int("total_steps", self.total_steps)
        if total <= warmup:
            raise ValueError(f"total_steps must be larger than warmup_steps={warmup}, got {total!r}")
        object.__setattr__(self, "warmup_steps", warmup)
        object.__setattr__(self, "total_steps", total)
        object.__setattr__(self, "start_factor", _fraction("start_factor", self.start_factor))
        object.__setattr__(self, "min_lr", _non_negative("min_lr", self.min_lr))

    @property
    def warmup(self) -> LinearWarmup:
        return LinearWarmup(self.warmup_steps, self.start_factor)

    @property
    def cosine(self) -> CosineAnnealing:
        return CosineAnnealing(self.total_steps - self.warmup_steps, self.min_lr)

    def first(self, lr: float) -> float:
        return self.warmup.first(lr)

    def following(self, previous: float, k: int, lr: float) -> float:
        if k < self.warmup_steps:
            return self.warmup.following(previous, k, lr)
        if k == self.warmup_steps:  # the cosine starts at its closed form for 0 steps: the full rate
            return self.min_lr + (lr - self.min_lr) * (1 + math.cos(0.0)) / 2
        return self.cosine.following(previous, k - self.warmup_steps, lr)

