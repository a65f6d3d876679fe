"""The sampling algorithm, pure and versioned, so that anyone can re-run a draw from its record.

hmac-sha256-rank/1: every claimant id gets the key HMAC-SHA256(key=seed bytes, msg=ASCII decimal id);
the population is ordered by (key hex, id) and the first k are drawn. Nothing depends on Python's
`random`, so the draw is the same on any machine and in any language.

hmac-sha256-rank-stratified/1: proportional allocation by segment with the largest-remainder
(Hamilton) method — quota k·N_s/N, floors first, the remaining seats to the largest fractional
parts (ties: larger segment, then segment name) — then the first n_s of each segment by the same
key. The drawn list is ordered by key.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from fractions import Fraction
from typing import Iterable, Mapping

ALGORITHM = "hmac-sha256-rank/1"
ALGORITHM_STRATIFIED = "hmac-sha256-rank-stratified/1"
ALGORITHMS = (ALGORITHM, ALGORITHM_STRATIFIED)


def population_hash(ids: Iterable[int]) -> str:
    """SHA-256 of the sorted ids, one ASCII decimal per line (no trailing newline)."""
    return hashlib.sha256("\n".join(str(i) for i in sorted(ids)).encode("ascii")).hexdigest()


def strata_hash(strata: Mapping[str, Iterable[int]]) -> str:
    """SHA-256 of the canonical JSON {segment: sorted ids}, keys sorted, UTF-8."""
    doc = {seg: sorted(ids) for seg, ids in strata.items()}
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rank_key(seed: str, claimant_id: int) -> str:
    return hmac.new(bytes.fromhex(seed), str(claimant_id).encode("ascii"), hashlib.sha256).hexdigest()


def _ranked(seed: str, ids: Iterable[int]) -> list[int]:
    return sorted(ids, key=lambda i: (rank_key(seed, i), i))


def allocate(sizes: Mapping[str, int], k: int) -> dict[str, int]:
    """Proportional allocation of k over segments by largest remainder (exact fractions)."""
    total = sum(sizes.values())
    if k >= total:
        return dict(sizes)
    quotas = {s: Fraction(k * n, total) for s, n in sizes.items()}
    out = {s: int(q) for s, q in quotas.items()}
    left = k - sum(out.values())
    order = sorted(sizes, key=lambda s: (-(quotas[s] - out[s]), -sizes[s], s))
    for s in order[:left]:
        out[s] += 1
    return out


def draw(seed: str, strata: Mapping[str, Iterable[int]], k: int, algorithm: str) -> list[int]:
    """The drawn ids in rank order, for either algorithm."""
    if algorithm == ALGORITHM:
        return _ranked(seed, (i for ids in strata.values() for i in ids))[:k]
    if algorithm == ALGORITHM_STRATIFIED:
        groups = {s: list(ids) for s, ids in strata.items()}
        alloc = allocate({s: len(ids) for s, ids in groups.items()}, k)
        chosen = [i for s in sorted(groups) for i in _ranked(seed, groups[s])[:alloc[s]]]
        return _ranked(seed, chosen)
    raise ValueError(f"unknown sampling algorithm {algorithm!r}")
