"""Edgeworth benchmarks, as ratios measured in one run (absolute times drift on shared machines).

1. Symbolic derivation: theorycheck's partition (Bell-polynomial) route to the order-10 density terms
   against sympy's naive ``series(exp(...))`` route to order 6.  Target: ratio naive(6) / ours(10) >= 1.
2. Numeric evaluation: order-4 pdf at 10^6 points against statsmodels' ExpandedNormal.pdf (6 cumulants,
   its maximum).  Target: ratio statsmodels / ours >= 1, agreement <= 1e-10.
3. Cornish-Fisher polynomials: the numeric inversion on numpy polynomials (what ``Edgeworth.ppf`` uses) against
   the symbolic inversion (``cornish_fisher_polynomials``, for the derivation) at order 4, and the numeric one at
   order 7 (what a budget of order 4 needs).  Target: ratio symbolic / numeric >= 10, agreement <= 1e-12.

Run: ``.venv/bin/python benchmarks/bench_edgeworth.py``; writes benchmarks/results/edgeworth.json.
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings

import numpy as np
import sympy as sp


def best_of(fn, repeat: int = 3) -> float:
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def naive_terms(order: int) -> list:
    from theory.edgeworth import naive_series_terms

    return naive_series_terms(order)


def partition_terms(order: int) -> list:
    from theory.edgeworth import hermite_poly, symbolic_lambdas, term_coefficients

    x = sp.Symbol("x")
    lam = symbolic_lambdas(order)
    return [sum(c * hermite_poly(k, x) for k, c in term_coefficients(j, lam).items()) for j in range(1, order + 1)]


def main() -> dict:
    from theory.edgeworth import Edgeworth

    res: dict = {}
    t_naive6 = best_of(lambda: naive_terms(6), repeat=1)
    t_ours10 = best_of(lambda: partition_terms(10), repeat=3)
    t_ours6 = best_of(lambda: partition_terms(6), repeat=3)
    res["symbolic"] = {
        "naive_series_order6_s": t_naive6,
        "partition_order10_s": t_ours10,
        "partition_order6_s": t_ours6,
        "ratio_naive6_over_ours10": t_naive6 / t_ours10,
        "ratio_naive6_over_ours6": t_naive6 / t_ours6,
    }
    # same terms at order 6 by both routes
    lam_n = sp.symbols("l3:9")
    from theory.edgeworth import symbolic_lambdas

    sub = dict(zip(symbolic_lambdas(6), lam_n))
    same = all(sp.expand(a.subs(sub) - b) == 0 for a, b in zip(partition_terms(6), naive_terms(6)))
    res["symbolic"]["order6_terms_identical"] = bool(same)

    from statsmodels.distributions.edgeworth import ExpandedNormal

    k = [0.3, 1.7, 0.9, 1.4, -0.8, 2.1]
    x = np.linspace(-5, 6, 1_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = ExpandedNormal(k)
        t_sm = best_of(lambda: sm.pdf(x), repeat=5)
        ref = sm.pdf(x)
    E = Edgeworth(k)
    mu, s = k[0], math.sqrt(k[1])
    ours = lambda: E.pdf((x - mu) / s, 1, 4, warn=False) / s  # noqa: E731
    ours()
    t_us = best_of(ours, repeat=5)
    res["pdf_1e6_points_order4"] = {
        "statsmodels_s": t_sm,
        "theorycheck_s": t_us,
        "ratio_statsmodels_over_ours": t_sm / t_us,
        "max_abs_difference": float(np.max(np.abs(ours() - ref))),
    }
    res["cornish_fisher"] = cornish_fisher()
    return res


def cornish_fisher() -> dict:
    from scipy import special

    from theory.edgeworth import Edgeworth, cornish_fisher_polynomials, symbolic_lambdas

    lam = [0.7, -0.4, 1.3, 0.2, 0.5, -0.3, 0.1]
    k = [0.0, 1.0, *lam]  # kappa_2 = 1: the standardized cumulants are the cumulants
    q = np.linspace(0.01, 0.99, 61)
    n = 10.0
    t0 = time.perf_counter()
    sym = cornish_fisher_polynomials(4)  # lru-cached: one cold call is the cost
    t_sym4 = time.perf_counter() - t0
    # a fresh Edgeworth inverts numerically on its first ppf call
    t_num4 = best_of(lambda: Edgeworth(k).ppf(q, n, 4, warn=False), repeat=5)
    t_num7 = best_of(lambda: Edgeworth(k).ppf(q, n, 7, warn=False), repeat=3)
    z = sp.Symbol("z", real=True)
    zz = special.ndtri(q)
    sub = dict(zip(symbolic_lambdas(4), lam))
    ref = zz + sum(n ** (-j / 2) * np.broadcast_to(sp.lambdify(z, c.subs(sub))(zz), zz.shape) for j, c in enumerate(sym, 1))
    diff = float(np.max(np.abs(Edgeworth(k).ppf(q, n, 4, warn=False) - ref)))
    return {"symbolic_order4_s": t_sym4, "numeric_order4_s": t_num4, "numeric_order7_s": t_num7,
            "ratio_symbolic_over_numeric_order4": t_sym4 / t_num4, "max_abs_difference_order4": diff}


if __name__ == "__main__":
    out = main()
    print(json.dumps(out, indent=1))
    path = os.path.join(os.path.dirname(__file__), "results", "edgeworth.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
