"""One-to-one peer pairs, or mentee-mentor pairs, maximising the pair score d(i, j).

Peer pairing is a maximum-weight matching on a general graph. We solve its
bipartite relaxation (everyone on both sides; scipy's sparse assignment), whose
optimum is a permutation made of cycles: 2-cycles are pairs, longer cycles are
cut into the better alternating set of pairs. Half the relaxation's value is an
upper bound on any matching, which the result reports as `bound`.

Hard rules for a pair: the window (values differ by at most max_difference),
`apart` (never pair a person with their supervisor or a listed conflict) and,
with a shared_slot rule, at least one common slot. The graph is sparse: each
person keeps the best few of a sample of partners inside their window, which is
what lets 100,000 people pair in seconds.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .encode import Encoded, encode, numbers, pair_distance
from .explain import explain_people
from .people import People
from .policy import Policy

SAMPLED = 48  # partners scored per person
KEPT = 12  # best partners kept per person in the sparse graph
DENSE_LIMIT = 1500  # below this many people, consider every partner


@dataclass
class PairResult:
    ids: list[str]
    pairs: list[tuple[str, str]]
    scores: list[float]
    explanations: list[str]
    unpaired: dict[str, str]
    score: float  # sum of d over the pairs
    bound: float  # no pairing of these people under these rules scores more
    violations: int
    seconds: float
    peak_memory_mb: float

    def partner_of(self, person: str) -> str:
        if not hasattr(self, "_partners"):
            self._partners = dict(self.pairs) | {b: a for a, b in self.pairs}
        return self._partners.get(person, "")


def form_pairs(people: People, policy: Policy, *, seed: int = 0) -> PairResult:
    started = time.monotonic()
    enc = encode(people, policy)
    rng = np.random.default_rng(seed)
    window = _window_values(people, policy)
    limit = policy.pairs.window.max_difference if policy.pairs.window else np.inf
    if policy.pairs.mentor:
        left, right, capacity = _mentor_sides(people, policy)
        pairs, bound = _mentor_pairs(enc, left, right, capacity, window, limit, rng)
    else:
        pairs, bound = _peer_pairs(enc, window, limit, rng)
    return _result(enc, people, policy, pairs, bound, window, limit, started)


def _window_values(people: People, policy: Policy) -> np.ndarray:
    if not policy.pairs.window:
        return np.zeros(len(people))
    return numbers(people, policy.pairs.window.column)


# -- candidate partners --------------------------------------------------------


def candidate_edges(
    enc: Encoded,
    left: np.ndarray,
    right: np.ndarray,
    window: np.ndarray,
    limit: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, d) for the best KEPT allowed partners j in `right` of each i in `left`."""
    right = right[~np.isnan(window[right])]
    right = right[np.argsort(window[right], kind="stable")]
    left = left[~np.isnan(window[left])]
    if not len(right) or not len(left):
        return (np.zeros(0, dtype=np.int64),) * 2 + (np.zeros(0),)
    values = window[right]
    low = np.searchsorted(values, window[left] - limit, side="left")
    high = np.searchsorted(values, window[left] + limit, side="right")
    offsets = _offsets(high - low, len(right), rng)
    partner = right[np.minimum(low[:, None] + offsets, len(right) - 1)]
    valid = (low[:, None] + offsets < high[:, None]) & (partner != left[:, None])
    valid &= _allowed(enc, np.broadcast_to(left[:, None], partner.shape), partner)
    score = np.where(
        valid, pair_distance(enc, np.broadcast_to(left[:, None], partner.shape), partner), -np.inf
    )
    keep = min(KEPT, score.shape[1])
    best = np.argpartition(-score, keep - 1, axis=1)[:, :keep]
    chosen = np.take_along_axis(score, best, axis=1)
    rows = np.broadcast_to(left[:, None], best.shape)
    finite = np.isfinite(chosen)
    return rows[finite], np.take_along_axis(partner, best, axis=1)[finite], chosen[finite]


def _offsets(span: np.ndarray, population: int, rng: np.random.Generator) -> np.ndarray:
    """Positions to try inside each window: all of them when few, else a sample."""
    width = min(population if population <= DENSE_LIMIT else SAMPLED, population)
    every = np.broadcast_to(np.arange(width), (len(span), width))
    sampled = (rng.random((len(span), width)) * np.maximum(span, 1)[:, None]).astype(np.int64)
    return np.where((span <= width)[:, None], every, sampled)


def _allowed(enc: Encoded, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Pair rules other than the window: a common slot, and not kept apart."""
    ok = (enc.slot_masks[i] & enc.slot_masks[j]).any(axis=-1)
    conflicted = np.flatnonzero((enc.partners >= 0).any(axis=1))
    if conflicted.size:
        rows = np.repeat(np.arange(enc.n), (enc.partners >= 0).sum(axis=1))
        keys = np.sort(rows.astype(np.int64) * enc.n + enc.partners[enc.partners >= 0])
        wanted = i.astype(np.int64) * enc.n + j
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        ok &= keys[at] != wanted
    return ok


# -- peers: general matching through the bipartite relaxation -----------------


def _peer_pairs(enc, window, limit, rng) -> tuple[list[tuple[int, int]], float]:
    everyone = np.arange(enc.n)
    i, j, d = candidate_edges(enc, everyone, everyone, window, limit, rng)
    i, j, d = _symmetric_edges(i, j, d)
    partner, bound = _assign(enc.n, enc.n, i, j, d)
    scores = dict(zip(zip(i.tolist(), j.tolist(), strict=True), d.tolist(), strict=True))
    pairs = _pairs_from_cycles(partner, scores)
    pairs += _greedy_leftovers(pairs, i, j, d, enc.n)
    return pairs, bound / 2


def _symmetric_edges(i, j, d):
    both_i, both_j = np.concatenate([i, j]), np.concatenate([j, i])
    both_d = np.concatenate([d, d])
    keys = (
        both_i.astype(np.int64) * (max(both_i.max(initial=0), both_j.max(initial=0)) + 1) + both_j
    )
    _, first = np.unique(keys, return_index=True)
    return both_i[first], both_j[first], both_d[first]


def _assign(rows: int, cols: int, i, j, d) -> tuple[np.ndarray, float]:
    """Max-score assignment where every row may stay unmatched (its own dummy column).

    Costs are shifted to be positive and an unmatched row costs more than any
    edge, so the assignment first matches as many rows as it can.
    """
    top = float(d.max(initial=0.0))
    spread = top - float(d.min(initial=0.0)) + 1.0
    cost = top - d + 1.0
    unmatched = 2 * spread + 1.0
    dummy = np.arange(rows)
    matrix = coo_matrix(
        (
            np.concatenate([cost, np.full(rows, unmatched)]),
            (np.concatenate([i, dummy]), np.concatenate([j, cols + dummy])),
        ),
        shape=(rows, cols + rows),
    ).tocsr()
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    partner = np.full(rows, -1, dtype=np.int64)
    real = col_ind < cols
    partner[row_ind[real]] = col_ind[real]
    chosen = np.asarray(matrix[row_ind[real], col_ind[real]]).ravel()
    return partner, float((top + 1.0 - chosen).sum())


def _pairs_from_cycles(successor: np.ndarray, score: dict) -> list[tuple[int, int]]:
    seen = np.zeros(len(successor), dtype=bool)
    pairs: list[tuple[int, int]] = []
    for begin in range(len(successor)):
        if seen[begin] or successor[begin] < 0:
            continue
        cycle = [begin]
        seen[begin] = True
        nxt = int(successor[begin])
        while nxt >= 0 and not seen[nxt]:
            cycle.append(nxt)
            seen[nxt] = True
            nxt = int(successor[nxt])
        pairs += _best_alternating(cycle, score, closed=nxt == begin)
    return pairs


def _best_alternating(cycle: list[int], score: dict, closed: bool) -> list[tuple[int, int]]:
    """Best set of disjoint consecutive pairs along a cycle (or open path)."""
    length = len(cycle)
    if length < 2:
        return []
    edges = [score.get((cycle[k], cycle[(k + 1) % length])) for k in range(length)]
    if not closed:
        edges[-1] = None
    best: list[tuple[int, int]] = []
    best_total = -np.inf
    for shift in range(min(length, 2) if length % 2 == 0 else length):
        chosen = [
            (cycle[(shift + 2 * k) % length], cycle[(shift + 2 * k + 1) % length])
            for k in range(length // 2)
        ]
        weights = [edges[(shift + 2 * k) % length] for k in range(length // 2)]
        if any(w is None for w in weights):
            continue
        if sum(weights) > best_total:
            best, best_total = chosen, sum(weights)
    return best


def _greedy_leftovers(pairs, i, j, d, n) -> list[tuple[int, int]]:
    taken = np.zeros(n, dtype=bool)
    for a, b in pairs:
        taken[a] = taken[b] = True
    extra = []
    for k in np.argsort(-d, kind="stable"):
        a, b = int(i[k]), int(j[k])
        if not taken[a] and not taken[b]:
            taken[a] = taken[b] = True
            extra.append((a, b))
    return extra


# -- mentors and mentees --------------------------------------------------------


def _mentor_sides(people: People, policy: Policy):
    roles = policy.pairs.mentor
    cells = people.column(roles.column)
    left = np.array([k for k, cell in enumerate(cells) if cell == roles.mentee], dtype=np.int64)
    right = np.array([k for k, cell in enumerate(cells) if cell == roles.mentor], dtype=np.int64)
    return left, right, roles.capacity


def _mentor_pairs(enc, mentees, mentors, capacity, window, limit, rng):
    i, j, d = candidate_edges(enc, mentees, mentors, window, limit, rng)
    row_of = {int(p): k for k, p in enumerate(mentees)}
    col_of = {int(p): k for k, p in enumerate(mentors)}
    rows = np.array([row_of[int(p)] for p in i], dtype=np.int64)
    cols = np.array([col_of[int(p)] for p in j], dtype=np.int64)
    seats = len(mentors) * capacity
    # Each mentor appears `capacity` times as a column: one per mentee they can take.
    rows = np.repeat(rows, capacity)
    d = np.repeat(d, capacity)
    cols = (cols[:, None] * capacity + np.arange(capacity)).ravel()
    partner, bound = _assign(len(mentees), seats, rows, cols, d)
    pairs = [
        (int(mentees[r]), int(mentors[c // capacity])) for r, c in enumerate(partner) if c >= 0
    ]
    return pairs, bound


# -- exact reference, for tests and the benchmark ---------------------------


def exact_relaxation_bound(enc: Encoded, window: np.ndarray, limit: float) -> float:
    """Half the best dense assignment over every allowed pair: an upper bound on any pairing."""
    everyone = np.arange(enc.n)
    i, j = np.meshgrid(everyone, everyone, indexing="ij")
    d = pair_distance(enc, i, j)
    allowed = _allowed(enc, i, j) & (i != j) & (np.abs(window[i] - window[j]) <= limit)
    top = d[allowed].max(initial=0.0)
    spread = top - d[allowed].min(initial=0.0) + 1.0
    cost = np.where(allowed, top - d + 1.0, 2 * spread + 1.0)
    rows, cols = linear_sum_assignment(cost)
    matched = allowed[rows, cols]
    return float(d[rows[matched], cols[matched]].sum() / 2)


def _result(enc, people, policy, pairs, bound, window, limit, started) -> PairResult:
    ids = people.ids
    scores = [float(pair_distance(enc, np.array([a]), np.array([b]))[0]) for a, b in pairs]
    paired = {p for pair in pairs for p in pair}
    violations = sum(1 for a, b in pairs if not _pair_ok(enc, a, b, window, limit))
    unpaired = {
        ids[p]: _unpaired_reason(policy, window, p) for p in range(enc.n) if p not in paired
    }
    if policy.pairs.mentor:
        mentor_role = policy.pairs.mentor.mentor
        cells = people.column(policy.pairs.mentor.column)
        unpaired = {
            ids[p]: why
            for p, why in ((people.index_of[k], v) for k, v in unpaired.items())
            if cells[p] != mentor_role
        }
    explanations = [
        explain_people(enc, np.array([a, b]), _common_slot(enc, a, b)) for a, b in pairs
    ]
    return PairResult(
        ids=ids,
        pairs=[(ids[a], ids[b]) for a, b in pairs],
        scores=scores,
        explanations=explanations,
        unpaired=unpaired,
        score=float(sum(scores)),
        bound=float(bound),
        violations=violations,
        seconds=time.monotonic() - started,
        peak_memory_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def _pair_ok(enc, a, b, window, limit) -> bool:
    inside = abs(window[a] - window[b]) <= limit
    return bool(inside and _allowed(enc, np.array([a]), np.array([b]))[0])


def _unpaired_reason(policy: Policy, window: np.ndarray, person: int) -> str:
    if policy.pairs.window and np.isnan(window[person]):
        return f"no {policy.pairs.window.column} given"
    return "no allowed partner left (window, apart or slot rules)"


def _common_slot(enc: Encoded, a: int, b: int) -> str:
    if not enc.has_slots:
        return ""
    common = enc.slot_masks[a] & enc.slot_masks[b]
    bits = np.flatnonzero(np.unpackbits(common.view(np.uint8), bitorder="little"))
    return enc.slot_labels[int(bits[0])] if bits.size else ""
