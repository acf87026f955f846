"""The update rules of the course, one short function per algorithm.

Each function is the chapter's equation written in numpy, with the chapter's
symbol names (see the name table in the README):

    w      parameters            g      gradient at w
    lr     learning rate alpha   t      step number, 1 at the first update
    G      AdaGrad's sum of g^2  v      running average of g^2, E[g^2]
    u      AdaDelta's running average of squared updates, E[dw^2]
    m      first moment (momentum / Adam)
    gamma, beta, beta1, beta2   decay rates       eps   stability constant

The functions are pure: arrays and numbers in, new arrays out. They never
modify their inputs and do no argument checking; the optimizer classes in
``course_lib.optimizers`` check arguments, hold the state and call these.
Three small pieces (the denominator with eps, the bias correction of Adam and
RMSprop, and AdaDelta's RMS ratio) are functions of their own, because the
optimizers' diagnostics (effective learning rate, m_hat and v_hat) must use
exactly the arithmetic the rules use.
The exercises ask you to write functions with exactly these signatures.

Conventions follow torch.optim 2.13 (CPU) so that a run can be compared with
PyTorch to float64 round-off. Where the course's source article writes the
equation differently (eps inside the square root for AdaGrad and RMSprop),
``eps_inside_sqrt=True`` gives the article's form.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def gd_update(w: Array, g: Array, lr: float) -> Array:
    """Gradient descent: step against the gradient.

    Equation:  w <- w - lr * g

    Full-batch gradient descent, stochastic gradient descent (SGD) and
    mini-batch gradient descent all use this rule; they differ only in how many
    samples the gradient g is computed from (all, one, or a mini-batch).

    Defaults: none; torch.optim.SGD uses lr=1e-3.
    torch.optim equivalent: ``torch.optim.SGD(params, lr=lr)``.
    Reference: Cauchy (1847); Robbins & Monro (1951) for the stochastic version.
    """
    return w - lr * g


def momentum_update(w: Array, g: Array, m: Array, lr: float, beta: float = 0.9) -> tuple[Array, Array]:
    """Gradient descent with (heavy-ball) momentum.

    Equations:  m <- beta * m + g
                w <- w - lr * m

    m is a decaying sum of past gradients (the "velocity"), starting at m = 0.
    With beta = 0 this is plain gradient descent. Note that Adam's first moment
    is a decaying *average* instead: m <- beta1 * m + (1 - beta1) * g.

    Defaults: beta=0.9 (torch's momentum has no default; 0.9 is the usual choice).
    torch.optim equivalent: ``torch.optim.SGD(params, lr=lr, momentum=beta)``
    (dampening=0, nesterov=False). torch starts its buffer at the first
    gradient, which is what m = 0 gives here at t = 1.
    Reference: Polyak (1964), "Some methods of speeding up the convergence of
    iteration methods"; Sutskever et al. (2013) for its use in deep learning.
    Returns (w, m).
    """
    m = beta * m + g
    w = w - lr * m
    return w, m


def adagrad_update(
    w: Array, g: Array, G: Array, lr: float = 1e-2, eps: float = 1e-10, eps_inside_sqrt: bool = False
) -> tuple[Array, Array]:
    """AdaGrad: divide each coordinate's step by the root of its summed squared gradients.

    Equations:  G <- G + g^2                       (the current gradient is included)
                w <- w - lr * g / (sqrt(G) + eps)   (default, eps outside the root)
                w <- w - lr * g / sqrt(G + eps)     (eps_inside_sqrt=True, the article's form)

    G starts at 0 and only grows, so the effective learning rate lr / sqrt(G)
    of every coordinate only shrinks.

    Defaults: lr=1e-2, eps=1e-10, eps outside the square root (as torch and the paper).
    torch.optim equivalent: ``torch.optim.Adagrad(params, lr=lr, eps=eps)``.
    Reference: Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for
    online learning and stochastic optimization", JMLR 12.
    Returns (w, G).
    """
    G = G + g * g
    w = w - lr * g / root_with_eps(G, eps, eps_inside_sqrt)  # sqrt(G) + eps, or sqrt(G + eps)
    return w, G


def rmsprop_update(
    w: Array,
    g: Array,
    v: Array,
    t: int,
    lr: float = 1e-2,
    gamma: float = 0.99,
    eps: float = 1e-8,
    eps_inside_sqrt: bool = False,
    bias_correction: bool = False,
) -> tuple[Array, Array]:
    """RMSprop: divide the step by the root of a running average of squared gradients.

    Equations:  v     <- gamma * v + (1 - gamma) * g^2     (v is E[g^2], starting at 0)
                v_hat  = v / (1 - gamma^t)                  (bias_correction=True; otherwise v_hat = v)
                w     <- w - lr * g / (sqrt(v_hat) + eps)   (default, eps outside the root)
                w     <- w - lr * g / sqrt(v_hat + eps)     (eps_inside_sqrt=True, the article's form)

    Unlike AdaGrad's sum, the average forgets old gradients at rate gamma, so
    the effective learning rate lr / sqrt(v) stops shrinking. Started at 0, the
    average is too small for its first steps (its weights add up to 1 - gamma^t, t = 1
    at the first step); ``bias_correction=True`` divides it by that, as Adam does,
    before eps is added. The state keeps the raw v.

    Defaults: lr=1e-2, gamma=0.99, eps=1e-8, eps outside the root, no bias correction
    (torch's defaults; Hinton's lecture, Keras and optax use gamma=0.9).
    torch.optim equivalent: ``torch.optim.RMSprop(params, lr=lr, alpha=gamma, eps=eps)``;
    with bias correction: ``optax.rmsprop(lr, decay=gamma, eps=eps, eps_in_sqrt=eps_inside_sqrt,
    bias_correction=True)``.
    Reference: Hinton, Srivastava & Swersky (2012), Neural Networks for Machine
    Learning, lecture 6e.
    Returns (w, v).
    """
    v = gamma * v + (1 - gamma) * g * g
    v_hat = debiased(v, gamma, t) if bias_correction else v  # v / (1 - gamma^t)
    w = w - lr * g / root_with_eps(v_hat, eps, eps_inside_sqrt)  # sqrt(v_hat) + eps, or sqrt(v_hat + eps)
    return w, v


def adadelta_update(
    w: Array, g: Array, v: Array, u: Array, lr: float = 1.0, gamma: float = 0.9, eps: float = 1e-6
) -> tuple[Array, Array, Array]:
    """AdaDelta: a step whose size is RMS[update] / RMS[gradient], with no learning rate to tune.

    Equations:  v  <- gamma * v + (1 - gamma) * g^2                  (E[g^2], this step's gradient included)
                dw <- sqrt(u + eps) / sqrt(v + eps) * g               (u is E[dw^2] from the previous step)
                u  <- gamma * u + (1 - gamma) * dw^2                  (accumulate the unscaled step)
                w  <- w - lr * dw

    With lr = 1 this is Zeiler's algorithm exactly; lr only scales the step
    that is applied, never the one that is accumulated in u.

    Defaults: lr=1.0, gamma=0.9, eps=1e-6 (torch's; the paper used gamma=0.95).
    torch.optim equivalent: ``torch.optim.Adadelta(params, lr=lr, rho=gamma, eps=eps)``.
    Reference: Zeiler (2012), "ADADELTA: an adaptive learning rate method",
    arXiv:1212.5701, Algorithm 1.
    Returns (w, v, u).
    """
    v = gamma * v + (1 - gamma) * g * g
    dw = rms_ratio(u, v, eps) * g  # sqrt(u + eps) / sqrt(v + eps) * g, with the u of the last step
    u = gamma * u + (1 - gamma) * dw * dw
    w = w - lr * dw
    return w, v, u


def adam_update(
    w: Array,
    g: Array,
    m: Array,
    v: Array,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    bias_correction: bool = True,
) -> tuple[Array, Array, Array]:
    """Adam: momentum on the gradient, RMSprop on its square, both bias-corrected.

    Equations:  m     <- beta1 * m + (1 - beta1) * g        (first moment, starts at 0)
                v     <- beta2 * v + (1 - beta2) * g^2      (second moment, starts at 0)
                m_hat  = m / (1 - beta1^t)                  (bias correction; t = 1 at the first step)
                v_hat  = v / (1 - beta2^t)
                w     <- w - lr * m_hat / (sqrt(v_hat) + eps)

    The corrected m_hat and v_hat are used for the step only; the state keeps
    the raw m and v. ``bias_correction=False`` drops the correction (to show
    what goes wrong without it).

    Defaults: lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8 (the paper's and torch's).
    torch.optim equivalent: ``torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps)``.
    Reference: Kingma & Ba (2015), "Adam: a method for stochastic
    optimization", arXiv:1412.6980, Algorithm 1.
    Returns (w, m, v).
    """
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = bias_corrected(m, v, t, beta1, beta2, bias_correction)  # m / (1 - beta1^t), v / (1 - beta2^t)
    w = w - lr * m_hat / root_with_eps(v_hat, eps)  # sqrt(v_hat) + eps
    return w, m, v


# ---- pieces shared by several rules (and by the optimizers' diagnostics) ----------


def root_with_eps(x: Array, eps: float, eps_inside_sqrt: bool = False) -> Array:
    """The adaptive rules' denominator: sqrt(x) + eps (torch's form), or sqrt(x + eps) (the article's)."""
    return np.sqrt(x + eps) if eps_inside_sqrt else np.sqrt(x) + eps


def bias_corrected(
    m: Array, v: Array, t: int, beta1: float, beta2: float, bias_correction: bool = True
) -> tuple[Array, Array]:
    """Adam's m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t); m and v unchanged when switched off."""
    if not bias_correction:
        return m, v
    return debiased(m, beta1, t), debiased(v, beta2, t)


def debiased(average: Array, beta: float, t: int) -> Array:
    """A running average with decay beta, started at 0, after t steps, divided by its total weight 1 - beta^t."""
    return average / (1 - beta**t)


def rms_ratio(u: Array, v: Array, eps: float) -> Array:
    """AdaDelta's factor RMS[dw] / RMS[g] = sqrt(u + eps) / sqrt(v + eps)."""
    return np.sqrt(u + eps) / np.sqrt(v + eps)

