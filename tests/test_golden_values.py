"""The golden values of /work/shared/optimizer-reference.md, section 4: theta after 100 steps on its 2-D quadratic.

f(theta) = theta^T A theta / 2 with A = [[5.5, 4.5], [4.5, 5.5]], theta_0 = (1, -1.5); the values are
a plain-numpy float64 reference that torch.optim 2.13 matches to <= 4e-16.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import make_optimizer

A = np.array([[5.5, 4.5], [4.5, 5.5]])
THETA_0 = np.array([1.0, -1.5])

# (case in the reference's table, course_lib optimizer, hyperparameters, theta_100)
GOLDEN = [
    ("GD (SGD default lr=1e-3)", "gd", {"lr": 1e-3}, (1.0394820985738291, -1.2224982692104442)),
    ("GD lr=0.05", "gd", {"lr": 0.05}, (0.007400661525417528, -0.007400661525417527)),
    ("SGD momentum=0.9 lr=0.05", "momentum", {"lr": 0.05, "beta": 0.9}, (-0.006953291583866857, 0.005508266192296434)),
    ("Adagrad default", "adagrad", {"lr": 1e-2}, (1.0984709480104573, -1.330264779595352)),
    ("Adagrad lr=0.5", "adagrad", {"lr": 0.5}, (1.464473962348356e-05, -1.4765622493515944e-05)),
    ("RMSprop default", "rmsprop", {"lr": 1e-2}, (0.17023491578752253, -0.19672317149249863)),
    ("Adadelta default", "adadelta", {}, (1.0109079647296615, -1.19090347760887)),
    ("Adadelta lr=10 rho=.95", "adadelta", {"lr": 10.0, "gamma": 0.95}, (0.055874021289119224, -0.06365754357234761)),
    ("Adam default", "adam", {}, (1.0819198658950726, -1.404661867792897)),
    ("Adam lr=0.1", "adam", {"lr": 0.1}, (-0.002393855834030927, 0.0027164883981239544)),
    ("SGD nesterov mom=0.9", "momentum", {"lr": 0.05, "beta": 0.9, "nesterov": True},
     (-0.0004946744540925521, 0.0004946744540925546)),
    ("Adam lr=0.1 wd=0.1 (L2)", "adam", {"lr": 0.1, "weight_decay": 0.1},
     (0.0013056309624559664, -0.0011280418064531545)),
    ("AdamW default (wd=1e-2)", "adamw", {}, (1.080854524171698, -1.4032289992215423)),
    ("AdamW lr=0.1 wd=0.1", "adamw", {"lr": 0.1, "weight_decay": 0.1}, (0.0016182968938144688, -0.0009888131158261432)),
]


@pytest.mark.parametrize("case, name, hyperparams, expected", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_theta_100_matches_the_reference(case, name, hyperparams, expected):
    opt = make_optimizer(name, **hyperparams)
    theta = THETA_0.copy()
    for _ in range(100):
        theta = opt.step(theta, A @ theta)
    np.testing.assert_allclose(theta, expected, rtol=1e-12, atol=1e-15)
