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
from .explain import explain_groups
from .layout import Layout
from .people import People
from .policy import Policy

SAMPLED = 48  # partners scored per person
KEPT = 16  # best partners kept per person in the sparse graph
KEPT_SMALL = 64  # ... when few people: popular partners must not crowd out a full matching
DENSE_LIMIT = 1500  # below this many people, consider every partner
RETRIES_UP_TO = 300  # people; below this, a few jittered re-solves are cheap
RETRIES = 12
BLOCK = 2000  # people per independent assignment problem (it grows faster than linear)


@dataclass
class PairResult:
    ids: list[str]
    pairs: list[tuple[str, str]]
    scores: list[float]
    explanations: list[str]
    unpaired: dict[str, str]
    score: float  # sum of d over the pairs
    bound: float  # relaxation bound: no pairing within the solved blocks scores more
    violations: int
    seconds: float
    peak_memory_mb: float
    blocks: int = 1  # 1: bound holds for every pairing of these people's candidate graph

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
        blocks = 1
    else:
        pairs, bound, blocks = _peer_pairs(enc, window, limit, rng)
    result = _result(enc, people, policy, pairs, bound, window, limit, started)
    result.blocks = blocks
    return result


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
    keep = min(KEPT_SMALL if len(right) <= DENSE_LIMIT else KEPT, score.shape[1])
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


def _peer_pairs(enc, window, limit, rng) -> tuple[list[tuple[int, int]], float, int]:
    """Pairs, the relaxation bound of what was solved, and how many blocks.

    Large populations are split at random into blocks of about BLOCK people
    (sparse assignment grows faster than linearly); within a block everyone
    still has hundreds of allowed partners. People a block leaves unpaired
    get a second chance together.
    """
    if enc.n <= RETRIES_UP_TO:
        return (*_best_of_retries(enc, window, limit, rng), 1)
    blocks = np.array_split(rng.permutation(enc.n), max(1, round(enc.n / BLOCK)))
    pairs: list[tuple[int, int]] = []
    bound = 0.0
    for block in blocks:
        found, part = _pairs_within(enc, np.sort(block), window, limit, rng)
        pairs += found
        bound += part
    if len(blocks) > 1:
        paired = np.zeros(enc.n, dtype=bool)
        paired[[p for pair in pairs for p in pair]] = True
        pairs += _pairs_within(enc, np.flatnonzero(~paired), window, limit, rng)[0]
    return pairs, bound, len(blocks)


def _best_of_retries(enc, window, limit, rng) -> tuple[list[tuple[int, int]], float]:
    """Small populations: re-solve with slightly jittered scores and keep the best.

    How the relaxation's odd cycles fall decides who is stranded; a different
    optimal-looking cycle structure can pair everyone.
    """
    everyone = np.arange(enc.n)
    best, bound = _pairs_within(enc, everyone, window, limit, rng)
    for _ in range(RETRIES):
        found, _ = _pairs_within(enc, everyone, window, limit, rng, jitter=0.05)
        if _pairing_key(enc, found) > _pairing_key(enc, best):
            best = found
    return best, bound


def _pairing_key(enc, pairs) -> tuple[int, float]:
    if not pairs:
        return 0, 0.0
    first, second = np.array(pairs).T
    return len(pairs), float(pair_distance(enc, first, second).sum())


def _pairs_within(enc, people: np.ndarray, window, limit, rng, jitter: float = 0.0):
    """Best pairs among `people` (sorted global indices) and the relaxation bound."""
    i, j, d = candidate_edges(enc, people, people, window, limit, rng)
    if not len(i):
        return [], 0.0
    i, j = np.searchsorted(people, i), np.searchsorted(people, j)
    i, j, d = _symmetric_edges(i, j, d)
    noisy = d + jitter * rng.standard_normal(len(d)) if jitter else d
    partner, bound = _assign(len(people), len(people), i, j, noisy)
    local = _mutual_pairs(partner)
    rest = np.flatnonzero(
        (partner >= 0) & (partner[np.maximum(partner, 0)] != np.arange(len(partner)))
    )
    # Only longer cycles and paths need the careful cut; their edges are few.
    chained = np.zeros(len(people), dtype=bool)
    chained[rest] = True
    chained[partner[rest]] = True
    keep = chained[i] & chained[j]
    scores = dict(
        zip(zip(i[keep].tolist(), j[keep].tolist(), strict=True), d[keep].tolist(), strict=True)
    )
    local += _pairs_from_cycles(np.where(chained, partner, -1), scores)
    waiting = _waiting(local, len(people))
    keep = waiting[i] | waiting[j]
    i, j, d = i[keep], j[keep], d[keep]
    local += _greedy_leftovers(local, i, j, d, len(people))
    local = _augment(local, i, j)
    return [(int(people[a]), int(people[b])) for a, b in local], bound / 2


def _mutual_pairs(partner: np.ndarray) -> list[tuple[int, int]]:
    """2-cycles of the relaxation: people who chose each other."""
    everyone = np.arange(len(partner))
    mutual = (partner > everyone) & (partner[np.maximum(partner, 0)] == everyone)
    return list(zip(everyone[mutual].tolist(), partner[mutual].tolist(), strict=True))


def _waiting(pairs: list[tuple[int, int]], n: int) -> np.ndarray:
    waiting = np.ones(n, dtype=bool)
    waiting[[p for pair in pairs for p in pair]] = False
    return waiting


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
    """Best pairs inside each path or cycle the relaxation's permutation forms."""
    neighbours: list[list[int]] = [[] for _ in successor]
    for person, nxt in enumerate(successor):
        if nxt >= 0 and nxt != person and person not in neighbours[nxt]:
            neighbours[person].append(int(nxt))
            neighbours[int(nxt)].append(person)
    seen = np.zeros(len(successor), dtype=bool)
    pairs: list[tuple[int, int]] = []
    ends = [p for p in range(len(successor)) if len(neighbours[p]) == 1]
    for begin in ends + list(range(len(successor))):
        if seen[begin] or not neighbours[begin]:
            continue
        chain = _walk(begin, neighbours, seen)
        closed = len(chain) > 2 and chain[0] in neighbours[chain[-1]]
        pairs += _best_on_chain(chain, score, closed)
    return pairs


def _walk(begin: int, neighbours: list[list[int]], seen: np.ndarray) -> list[int]:
    chain = [begin]
    seen[begin] = True
    while True:
        nxt = [p for p in neighbours[chain[-1]] if not seen[p]]
        if not nxt:
            return chain
        chain.append(nxt[0])
        seen[nxt[0]] = True


def _edge(score: dict, a: int, b: int) -> float:
    return max(score.get((a, b), -np.inf), score.get((b, a), -np.inf))


def _best_on_chain(chain: list[int], score: dict, closed: bool) -> list[tuple[int, int]]:
    """Maximum-weight matching of a path (dynamic programme); a cycle tries both cuts."""
    if not closed:
        return _best_on_path(chain, score)[1]
    # A cycle's matching leaves out the closing edge or the first edge.
    options = [_best_on_path(chain, score), _best_on_path(chain[1:] + chain[:1], score)]
    return max(options, key=lambda option: (len(option[1]), option[0]))[1]


def _best_on_path(chain: list[int], score: dict) -> tuple[float, list[tuple[int, int]]]:
    """Dynamic programme over the first k people: most pairs, then most weight."""
    count = [0] * (len(chain) + 1)
    weight = [0.0] * (len(chain) + 1)
    took = [False] * (len(chain) + 1)
    for k in range(2, len(chain) + 1):
        edge = _edge(score, chain[k - 2], chain[k - 1])
        count[k], weight[k] = count[k - 1], weight[k - 1]
        if edge > -np.inf and (count[k - 2] + 1, weight[k - 2] + edge) > (count[k], weight[k]):
            count[k], weight[k], took[k] = count[k - 2] + 1, weight[k - 2] + edge, True
    pairs, k = [], len(chain)
    while k >= 2:
        if took[k]:
            pairs.append((chain[k - 2], chain[k - 1]))
            k -= 2
        else:
            k -= 1
    return weight[-1], pairs


def _greedy_leftovers(pairs, i, j, d, n) -> list[tuple[int, int]]:
    """Pair people still waiting, best allowed edge first."""
    taken = ~_waiting(pairs, n)
    extra = []
    for k in np.argsort(-d, kind="stable"):
        a, b = int(i[k]), int(j[k])
        if not taken[a] and not taken[b]:
            taken[a] = taken[b] = True
            extra.append((a, b))
    return extra


def _augment(pairs, i, j) -> list[tuple[int, int]]:
    """Pair two waiting people u, v through a pair (a, b): u-a, b-v (augmenting paths of 3).

    Cutting cycles can strand people whom a short exchange would pair. The
    edges given are those touching someone still waiting.
    """
    mate = dict(pairs) | {b: a for a, b in pairs}
    neighbours: dict[int, list[int]] = {}
    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    for u in [p for p in neighbours if p not in mate]:
        for a in neighbours[u]:
            b = mate.get(a)
            if u in mate or b is None:
                continue
            v = next((v for v in neighbours.get(b, []) if v != u and v not in mate), None)
            if v is not None:
                mate.update({u: a, a: u, b: v, v: b})
                break
    return [(a, b) for a, b in mate.items() if a < b]


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
    first = np.array([a for a, _ in pairs], dtype=np.int64)
    second = np.array([b for _, b in pairs], dtype=np.int64)
    scores = pair_distance(enc, first, second)
    broken = ~_allowed(enc, first, second) | ~(np.abs(window[first] - window[second]) <= limit)
    paired = set(first.tolist()) | set(second.tolist())
    waiting = [p for p in range(enc.n) if p not in paired]
    if policy.pairs.mentor:  # mentors without a mentee are not waiting for anything
        cells = people.column(policy.pairs.mentor.column)
        waiting = [p for p in waiting if cells[p] != policy.pairs.mentor.mentor]
    members = np.stack([first, second], axis=1)
    layout = Layout(members, np.zeros(0, int), np.zeros(0, int), [""] * len(pairs))
    slots = [_common_slot(enc, a, b) for a, b in pairs]
    return PairResult(
        ids=ids,
        pairs=[(ids[a], ids[b]) for a, b in pairs],
        scores=scores.tolist(),
        explanations=explain_groups(enc, layout, slots),
        unpaired={ids[p]: _unpaired_reason(policy, window, p) for p in waiting},
        score=float(scores.sum()),
        bound=float(bound),
        violations=int(broken.sum()),
        seconds=time.monotonic() - started,
        peak_memory_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


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
