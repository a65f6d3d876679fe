"""What a verification sample says about the whole crowd: exact one-sided lower confidence bounds.

Exact means integer/rational arithmetic, no floating point in any decision:
- hypergeometric (finite population N, preferred): the lower bound on the number K of valid
  claims is the smallest K whose upper tail P(X >= c | N, K, n) exceeds alpha; share = K / N.
- Clopper-Pearson (binomial, infinite population): the p with P(X >= c | n, p) = alpha, found by
  bisection over dyadic rationals and rounded DOWN to 2**-BITS (conservative).
"""
from __future__ import annotations

from fractions import Fraction
from math import comb

BITS = 40  # Clopper-Pearson resolution: 2**-40 ≈ 9e-13


def _frac(x: float | str | Fraction, name: str) -> Fraction:
    f = Fraction(str(x)) if isinstance(x, float) else Fraction(x)
    if not 0 < f < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1")
    return f


def _check(c: int, n: int, N: int | None = None) -> None:
    if n < 1 or not 0 <= c <= n or (N is not None and n > N):
        raise ValueError("need 0 <= c <= n <= N and n >= 1")


def hypergeom_tail(c: int, N: int, K: int, n: int) -> Fraction:
    """P(X >= c) when n are drawn without replacement from N holding K valid ones (exact)."""
    hi = min(n, K)
    num = sum(comb(K, x) * comb(N - K, n - x) for x in range(max(c, n - (N - K), 0), hi + 1))
    return Fraction(num, comb(N, n))


def _hyper_exceeds(c: int, N: int, K: int, n: int, alpha: Fraction) -> bool:
    hi = min(n, K)
    num = sum(comb(K, x) * comb(N - K, n - x) for x in range(max(c, n - (N - K), 0), hi + 1))
    return num * alpha.denominator > alpha.numerator * comb(N, n)


def hypergeom_lower_count(c: int, n: int, N: int, confidence: float | str | Fraction = "0.95") -> int:
    """Smallest number K of valid claims in the population still consistent with c of n confirmed."""
    _check(c, n, N)
    alpha = 1 - _frac(confidence, "confidence")
    lo, hi = c, N - (n - c)  # K < c or K > N-(n-c) is impossible given what was observed
    while lo < hi:           # the tail grows with K: binary search for the first K above alpha
        mid = (lo + hi) // 2
        if _hyper_exceeds(c, N, mid, n, alpha):
            hi = mid
        else:
            lo = mid + 1
    return lo


def hypergeom_lower_share(c: int, n: int, N: int, confidence: float | str | Fraction = "0.95") -> Fraction:
    """The lower bound as a share of the population (exact fraction)."""
    return Fraction(hypergeom_lower_count(c, n, N, confidence), N)


def binom_tail_exceeds(c: int, n: int, p: Fraction, alpha: Fraction) -> bool:
    """Whether P(X >= c | n, p) > alpha, decided exactly in integers."""
    a, b = p.numerator, p.denominator
    num = sum(comb(n, x) * a ** x * (b - a) ** (n - x) for x in range(c, n + 1))
    return num * alpha.denominator > alpha.numerator * b ** n


def clopper_pearson_lower(c: int, n: int, confidence: float | str | Fraction = "0.95") -> Fraction:
    """One-sided Clopper-Pearson lower bound on the share, rounded down to 2**-BITS."""
    _check(c, n)
    alpha = 1 - _frac(confidence, "confidence")
    if c == 0:
        return Fraction(0)
    lo, hi = 0, 1 << BITS  # invariant: tail(lo) <= alpha < tail(hi), in units of 2**-BITS
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if binom_tail_exceeds(c, n, Fraction(mid, 1 << BITS), alpha):
            hi = mid
        else:
            lo = mid
    return Fraction(lo, 1 << BITS)


def sample_size(target: float | str | Fraction, assumed: float | str | Fraction, N: int | None = None,
                confidence: float | str | Fraction = "0.95", limit: int = 5000) -> int | None:
    """Smallest n such that, if floor(assumed * n) of n are confirmed, the lower bound reaches target.

    Hypergeometric when N is given, Clopper-Pearson otherwise; None when no n up to N (or limit) does.
    """
    t, p = _frac(target, "target"), _frac(assumed, "assumed share")
    alpha = 1 - _frac(confidence, "confidence")
    if p <= t:
        return None
    top = min(N, limit) if N is not None else limit
    k_below = None
    if N is not None:
        # bound >= target  <=>  every K with K/N < target has tail <= alpha; the tail grows with K,
        # so checking the largest such K suffices.
        k_below = -(-t.numerator * N // t.denominator) - 1
    for n in range(1, top + 1):
        c = (p.numerator * n) // p.denominator
        if c == 0:
            continue
        if N is not None:
            if k_below < 0 or not _hyper_exceeds(c, N, k_below, n, alpha):
                return n
        elif not binom_tail_exceeds(c, n, t, alpha):
            return n
    return None


def summarize(confirmed: int, resolved: int, population: int,
              confidence: float | str | Fraction = "0.95") -> dict[str, object]:
    """Bounds for a draw, as strings/floats ready for JSON (None until something is resolved)."""
    if resolved == 0:
        return {"confirmed": confirmed, "resolved": 0, "population": population, "hypergeometric": None,
                "clopper_pearson": None, "confidence": str(confidence)}
    hl = hypergeom_lower_count(confirmed, resolved, population, confidence)
    cp = clopper_pearson_lower(confirmed, resolved, confidence)
    return {"confirmed": confirmed, "resolved": resolved, "population": population,
            "confidence": str(confidence),
            "hypergeometric": {"count": hl, "share": f"{float(Fraction(hl, population)):.4f}"},
            "clopper_pearson": {"share": f"{float(cp):.4f}"}}
