"""Anchor solvers for the benchmark, run as a separate process.

The open packages need numpy < 2 (anti-clustering pins it), so they live in
their own virtual environment; this script imports nothing from peerhaven.
It reads one instance (JSON), runs one method and writes the grouping:

    python anchors.py METHOD instance.json result.json

Methods:
  exact       OR-Tools CP-SAT on the documented objective with every hard rule;
              reports OPTIMAL or the best solution and the proven bound.
  anticlust   PyPI anti-clustering, ExchangeHeuristicAntiClustering, on our d(i, j).
  teamform    PyPI team-formation (CP-SAT): diversify the category columns,
              cluster on slots. Neither open package knows apart/no_lone/fixed.
"""

from __future__ import annotations

import itertools
import json
import sys
import time

import numpy as np

SCALE = 1000  # CP-SAT needs integers: d is rounded to 1/1000


def main() -> int:
    method, source, target = sys.argv[1:4]
    with open(source) as handle:
        instance = json.load(handle)
    started = time.monotonic()
    result = {"exact": exact, "anticlust": anticlust, "teamform": teamform}[method](instance)
    result["seconds"] = time.monotonic() - started
    with open(target, "w") as handle:
        json.dump(result, handle)
    return 0


def exact(instance: dict) -> dict:
    from ortools.sat.python import cp_model

    n, low, high = instance["n"], instance["min_size"], instance["max_size"]
    distance = np.rint(np.array(instance["distance"]) * SCALE).astype(np.int64)
    fixed_labels = sorted({label for label in instance["fixed"] if label})
    groups = max(len(fixed_labels), n // low)
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x{i}_{g}") for g in range(groups)] for i in range(n)]
    used = [model.new_bool_var(f"used{g}") for g in range(groups)]
    placed = []
    for i in range(n):
        model.add(sum(x[i]) <= 1)
        placed.append(sum(x[i]))
    for g in range(groups):
        size = sum(x[i][g] for i in range(n))
        model.add(size >= low * used[g])
        model.add(size <= high * used[g])
    free_groups = list(range(len(fixed_labels), groups))
    for g, h in itertools.pairwise(free_groups):
        model.add(used[g] >= used[h])  # symmetry: free groups open in order
    _slot_rule(model, instance, x, groups)
    for i, j in instance["apart"]:
        for g in range(groups):
            model.add(x[i][g] + x[j][g] <= 1)
    for i, j in instance["together"]:
        for g in range(groups):
            model.add(x[i][g] == x[j][g])
    for holders in instance["lone"]:
        for g in range(groups):
            count = sum(x[i][g] for i in holders)
            some = model.new_bool_var("")
            model.add(count >= 2 * some)
            model.add(count <= len(holders) * some)
    for i, label in enumerate(instance["fixed"]):
        if label:
            model.add(x[i][fixed_labels.index(label)] == 1)
    terms = []
    for i in range(n):
        for j in range(i + 1, n):
            if distance[i, j] == 0:
                continue
            for g in range(groups):
                both = model.new_bool_var("")
                if distance[i, j] > 0:
                    model.add(both <= x[i][g])
                    model.add(both <= x[j][g])
                else:
                    model.add(both >= x[i][g] + x[j][g] - 1)
                terms.append(int(distance[i, j]) * both)
    # Placing one more person outweighs any objective: compare like with like.
    big = int(np.abs(distance).sum()) + 1
    model.maximize(big * sum(placed) + sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = instance["time_limit"]
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {"status": "no solution", "group_of": None}
    group_of = [next((g for g in range(groups) if solver.value(x[i][g])), -1) for i in range(n)]
    count = sum(1 for g in group_of if g >= 0)
    bound = (solver.best_objective_bound - big * count) / SCALE
    return {
        "status": "optimal" if status == cp_model.OPTIMAL else "feasible",
        "group_of": group_of,
        "bound": bound,
    }


def _slot_rule(model, instance: dict, x, groups: int) -> None:
    labels = sorted({slot for slots in instance["slots"] for slot in slots})
    if not instance["has_slots"]:
        return
    z = [[model.new_bool_var("") for _ in labels] for _ in range(groups)]
    for g in range(groups):
        model.add(sum(z[g]) <= 1)
    for i, slots in enumerate(instance["slots"]):
        allowed = [labels.index(s) for s in slots]
        for g in range(groups):
            model.add(x[i][g] <= sum(z[g][s] for s in allowed))


def anticlust(instance: dict) -> dict:
    from anti_clustering import ExchangeHeuristicAntiClustering

    n, high = instance["n"], instance["max_size"]
    solver = ExchangeHeuristicAntiClustering(random_seed=instance["seed"])
    together = solver._solve(np.array(instance["distance"]), -(-n // high))
    group_of = [-1] * n
    label = 0
    for i in range(n):
        if group_of[i] < 0:
            for j in [*np.flatnonzero(together[i]).tolist(), i]:
                group_of[j] = label
            label += 1
    return {"status": "done", "group_of": group_of}


def teamform(instance: dict) -> dict:
    import pandas as pd
    from team_formation.team_assignment import TeamAssignment

    columns = instance["categories"]
    frame = pd.DataFrame(dict(columns))
    frame.insert(0, "id", range(instance["n"]))
    rows = [[name, "diversify", weight] for name, weight in instance["weights"].items()]
    if instance["has_slots"]:
        frame["slots"] = instance["slots"]
        rows.append(["slots", "cluster", 10])
    constraints = pd.DataFrame(columns=["attribute", "type", "weight"], data=rows)
    solver = TeamAssignment(frame, constraints, instance["max_size"], less_than_target=True)
    solver.solve(max_time_in_seconds=instance["time_limit"])
    if not solver.solution_found:
        return {"status": "no solution", "group_of": None}
    return {"status": "done", "group_of": [int(t) for t in solver.participants["team_num"]]}


if __name__ == "__main__":
    sys.exit(main())
