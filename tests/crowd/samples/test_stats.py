"""Exact bounds: Clopper-Pearson against published table values, hypergeometric against enumeration."""
from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import pytest

from incident.crowd.samples import stats

# One-sided lower limits = lower ends of two-sided 95% Clopper-Pearson intervals (confidence 0.975),
# from Newcombe (1998), Statistics in Medicine 17:857, table II, and a textbook 5/10, 3/10 row.
CP_TABLE = [(5, 10, "0.975", 0.1871), (3, 10, "0.975", 0.0667), (81, 263, "0.975", 0.2527),
            (15, 148, "0.975", 0.0578), (1, 29, "0.975", 0.0009), (29, 29, "0.975", 0.8806)]


@pytest.mark.parametrize("c,n,conf,expected", CP_TABLE)
def test_clopper_pearson_matches_published_values(c, n, conf, expected):
    assert round(float(stats.clopper_pearson_lower(c, n, conf)), 4) == expected


def test_clopper_pearson_closed_forms():
    # all confirmed: p = alpha^(1/n); one confirmed: p = 1 - (1 - alpha)^(1/n)
    assert abs(float(stats.clopper_pearson_lower(10, 10)) - 0.05 ** 0.1) < 1e-11
    assert abs(float(stats.clopper_pearson_lower(1, 10)) - (1 - 0.95 ** 0.1)) < 1e-11
    assert stats.clopper_pearson_lower(0, 10) == 0
    # rounded down: the exact tail at the bound never exceeds alpha
    p = stats.clopper_pearson_lower(7, 9)
    assert not stats.binom_tail_exceeds(7, 9, p, Fraction(1, 20))


def brute_tail(c, N, K, n):
    population = [1] * K + [0] * (N - K)
    hits = total = 0
    for pick in combinations(range(N), n):
        total += 1
        hits += sum(population[i] for i in pick) >= c
    return Fraction(hits, total)


@pytest.mark.parametrize("N,n", [(8, 3), (10, 4), (12, 5)])
def test_hypergeometric_bound_matches_brute_force_enumeration(N, n):
    alpha = Fraction(1, 20)
    for c in range(n + 1):
        for K in range(N + 1):
            if c <= K:
                assert stats.hypergeom_tail(c, N, K, n) == brute_tail(c, N, K, n)
        expected = min(K for K in range(N + 1) if brute_tail(c, N, K, n) > alpha)
        assert stats.hypergeom_lower_count(c, n, N) == expected


def test_finite_population_bound_is_tighter_than_binomial():
    # 48 of 50 confirmed among 86 households vs an infinite crowd
    hyper = stats.hypergeom_lower_share(48, 50, 86)
    assert hyper > stats.clopper_pearson_lower(48, 50)
    assert stats.hypergeom_lower_count(5, 5, 5) == 5  # everyone checked: no uncertainty left


def test_sample_size_reaches_the_target_and_no_smaller_n_does():
    n = stats.sample_size("0.8", "0.95", N=86)
    assert n is not None
    c = (n * 95) // 100
    assert stats.hypergeom_lower_share(c, n, 86) >= Fraction(8, 10)
    for m in range(1, n):
        assert stats.hypergeom_lower_share((m * 95) // 100, m, 86) < Fraction(8, 10)
    nb = stats.sample_size("0.8", "0.95")
    assert stats.clopper_pearson_lower((nb * 95) // 100, nb) >= Fraction(8, 10)
    assert stats.clopper_pearson_lower(((nb - 1) * 95) // 100, nb - 1) < Fraction(8, 10)
    assert stats.sample_size("0.9", "0.9", N=86) is None  # cannot beat the assumed share


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        stats.hypergeom_lower_count(6, 5, 10)
    with pytest.raises(ValueError):
        stats.clopper_pearson_lower(1, 5, "1.5")
