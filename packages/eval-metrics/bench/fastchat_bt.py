"""FastChat-style Bradley–Terry fit and bootstrap, for the benchmark in arena.ts.

Restates `compute_bt` / `compute_bootstrap_bt` of FastChat's `fastchat/serve/monitor/rating_systems.py`:
np.unique aggregation of (model_a, model_b, outcome) rows, scipy L-BFGS-B with gtol=1e-6 and
maxiter=100, multinomial resampling of the unique rows' counts, one process per core.
Usage: python3 fastchat_bt.py battles.bin n_models rounds  → JSON on stdout.
"""
import json
import math
import multiprocessing as mp
import sys
import time
from functools import partial

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit


def bt_loss_and_grad(ratings, matchups, outcomes, weights, alpha=1.0):
    matchup_ratings = ratings[matchups]
    logits = alpha * (matchup_ratings[:, 0] - matchup_ratings[:, 1])
    probs = expit(logits)
    loss = -((np.log(probs) * outcomes + np.log(1.0 - probs) * (1.0 - outcomes)) * weights).sum()
    matchups_grads = -alpha * (outcomes - probs) * weights
    model_grad = np.zeros_like(ratings)
    np.add.at(model_grad, matchups[:, [0, 1]], matchups_grads[:, None] * np.array([1.0, -1.0]))
    return loss, model_grad


def fit_bt(matchups, outcomes, weights, n_models, alpha, tol=1e-6):
    result = minimize(fun=bt_loss_and_grad, x0=np.zeros(n_models), args=(matchups, outcomes, weights, alpha),
                      jac=True, method="L-BFGS-B", options={"maxiter": 100, "gtol": tol})
    return result["x"]


def main():
    path, n_models, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    schedule = np.fromfile(path, dtype=np.int32).reshape(-1, 3)
    t0 = time.perf_counter()
    rows, counts = np.unique(schedule, return_counts=True, axis=0)
    matchups, outcomes, weights = rows[:, :2], rows[:, 2].astype(np.float64) / 2.0, counts.astype(np.float64)
    t1 = time.perf_counter()
    ratings = fit_bt(matchups, outcomes, weights, n_models, math.log(10.0))
    t2 = time.perf_counter()
    rng = np.random.default_rng(seed=0)
    idxs = rng.multinomial(n=len(schedule), pvals=weights / weights.sum(), size=rounds)
    boot_weights = idxs.astype(np.float64) / len(schedule)
    fn = partial(fit_bt, matchups, outcomes, n_models=n_models, alpha=math.log(10.0))
    with mp.Pool(mp.cpu_count()) as pool:
        boot = np.array(pool.map(fn, boot_weights))
    t3 = time.perf_counter()
    _, grad = bt_loss_and_grad(ratings, matchups, outcomes, weights / weights.sum(), math.log(10.0))
    print(json.dumps({
        "aggregateSeconds": t1 - t0, "fitSeconds": t2 - t1, "bootstrapSeconds": t3 - t2, "rounds": rounds,
        "cores": mp.cpu_count(), "ratings": (ratings * 400 + 1000).tolist(),
        "gradientNorm": float(np.abs(grad).max()),
        "bootstrapLower": np.quantile(boot * 400 + 1000, 0.025, axis=0).tolist(),
        "bootstrapUpper": np.quantile(boot * 400 + 1000, 0.975, axis=0).tolist(),
    }))


if __name__ == "__main__":
    main()
