"""The cumulant strategies generate realisable sequences, and the cumulant invariants can fail."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings

import validation.invariants._edgeworth as inv
from theory.cumulants import FAMILIES
from validation.strategies import cumulant_sequences, distribution_families

FAST = settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(distribution_families())
def test_families_are_known(pair):
    fam, params = pair
    assert fam in FAMILIES and isinstance(params, dict)


@FAST
@given(cumulant_sequences(order=5, exact=True, families=["bernoulli", "uniform"], allow_mixtures=False))
def test_exact_option_and_family_restriction(ks):
    assert len(ks) == 5 and all(isinstance(k, sp.Rational) for k in ks)
    assert ks[1] > 0


def test_strategies_reach_every_family_and_mixtures():
    seen = set()

    @settings(max_examples=200, database=None, deadline=None)
    @given(distribution_families())
    def collect(pair):
        seen.add(pair[0])

    collect()
    assert seen == set(FAMILIES)


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda: cumulant_sequences(order=0), ValueError),
        (lambda: cumulant_sequences(order=2.0), TypeError),
        (lambda: cumulant_sequences(families=["cauchy"]), ValueError),
        (lambda: cumulant_sequences(families=["normal_mixture"], allow_mixtures=False), ValueError),
        (lambda: distribution_families(families=[]), ValueError),
    ],
)
def test_bad_arguments(call, exc):
    with pytest.raises(exc):
        call()


def test_hankel_invariant_rejects_non_realisable_sequences():
    # kappa_4 = -3 with kappa_2 = 1 gives a standardized fourth moment 0 < 1: no distribution has it
    with pytest.raises(AssertionError):
        inv._hankel.hypothesis.inner_test([0.0, 1.0, 0.0, -3.0, 0.0, 0.0, 0.0, 0.0])
    # mu_4 = 1.5 < mu_3^2 + 1 = 2 (Pearson's inequality) but mu_4 >= 1
    with pytest.raises(AssertionError):
        inv._hankel.hypothesis.inner_test([0.0, 1.0, 1.0, -1.5, 0.0, 0.0, 0.0, 30.0])
    inv._hankel.hypothesis.inner_test([0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])  # the Gaussian passes


def test_expansion_invariant_passes_and_rejects_a_wrong_term(monkeypatch):
    k = [1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0]  # Exp(1)
    inv._expansion_cumulants.hypothesis.inner_test(k, 3, 7.0)
    from theory.edgeworth import Edgeworth

    real = Edgeworth._terms

    def wrong(self, j):  # the lambda_4 / 24 coefficient of p_2 one percent off
        t = dict(real(self, j))
        if j == 2:
            t[4] *= 1.01
        return t

    monkeypatch.setattr(Edgeworth, "_terms", wrong)
    with pytest.raises(AssertionError):
        inv._expansion_cumulants.hypothesis.inner_test(k, 3, 7.0)
