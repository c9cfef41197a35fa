"""Valid calls of every public callable of ``theory.ntk`` for the argument fuzzer (tests/argfuzz.py)."""

from __future__ import annotations

import numpy as np

from tests.argfuzz import Call

_rng = np.random.default_rng(0)
X, Y, XT = _rng.normal(size=(4, 3)), _rng.normal(size=4), _rng.normal(size=(2, 3))
ARCH = ("relu", (1.0, 2.0), 0.1)
KW = {"parameterization": "ntk", "quadrature_order": 64}

CASES = {
    "theory.ntk.ntk_predict": Call((X, Y, XT, 3.0, 0.01, *ARCH), {**KW, "discrete": False}),
    "theory.ntk.nngp_posterior": Call((X, Y, XT, *ARCH), {**KW, "noise_variance": 0.01}),
    "theory.ntk.ntk_stability_limit": Call((X, *ARCH), KW),
}

EXEMPT = {
    "theory.wide_networks.ntk_predict": "re-export of theory.ntk.ntk_predict, fuzzed under that name",
    "theory.wide_networks.nngp_posterior": "re-export of theory.ntk.nngp_posterior, fuzzed under that name",
}
