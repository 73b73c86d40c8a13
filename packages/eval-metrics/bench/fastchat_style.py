"""FastChat-style style-control fit and bootstrap, for the benchmark in styleControl.ts.

Restates `preprocess_for_style` (z-scoring with numpy's population std), `fit_contextual_bt`
(`contextual_bt_loss_and_grad`, scipy L-BFGS-B with reg 0.5, maxiter 100, gtol 1e-6) and
`compute_bootstrap_style_control` (battles resampled with replacement) of FastChat's
`fastchat/serve/monitor/rating_systems.py`. FastChat maps the bootstrap rounds over a process pool
of `os.cpu_count()` workers; that divides wall time, not CPU time, so here the rounds run one after
another and every time reported is CPU time of this process (`time.process_time`, all threads).
Usage: python3 fastchat_style.py battles.bin features.bin n_models rounds  -> JSON on stdout.
battles.bin: int32 rows (model_a, model_b, outcome 2/1/0); features.bin: float64 rows of the
normalised differences (a - b) / (a + b + 1).
"""
import json
import math
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

DIFF_MASK = np.array([1.0, -1.0])


def contextual_bt_loss_and_grad(params, n_competitors, matchups, features, outcomes, alpha, reg, half_reg):
    reg_loss = half_reg * np.inner(params, params)
    ratings, feature_params = params[:n_competitors], params[n_competitors:]
    matchup_ratings = ratings[matchups]
    bt_logits = alpha * (matchup_ratings[:, 0] - matchup_ratings[:, 1])
    probs = expit(bt_logits + np.dot(features, feature_params))
    loss = -((np.log(probs) * outcomes + np.log(1.0 - probs) * (1.0 - outcomes))).sum() + reg_loss
    error = outcomes - probs
    grad = reg * params
    np.add.at(grad[:n_competitors], matchups[:, [0, 1]], (-alpha * error)[:, None] * DIFF_MASK)
    grad[n_competitors:] -= np.dot(features.T, error)
    return loss, grad


def fit_contextual_bt(matchups, features, outcomes, n_models, idxs=None, alpha=math.log(10.0), reg=0.5, tol=1e-6):
    if idxs is not None:
        matchups, features, outcomes = matchups[idxs], features[idxs], outcomes[idxs]
    result = minimize(fun=contextual_bt_loss_and_grad, x0=np.zeros(n_models + features.shape[1]),
                      args=(n_models, matchups, features, outcomes, alpha, reg, reg / 2.0),
                      jac=True, method="L-BFGS-B", options={"maxiter": 100, "gtol": tol})
    return result["x"], int(result["nit"])


def main():
    battles_path, features_path, n_models, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    schedule = np.fromfile(battles_path, dtype=np.int32).reshape(-1, 3)
    raw = np.fromfile(features_path, dtype=np.float64).reshape(len(schedule), -1)
    t0 = time.process_time()
    matchups = np.ascontiguousarray(schedule[:, :2])
    outcomes = schedule[:, 2].astype(np.float64) / 2.0
    features = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    t1 = time.process_time()
    params, iterations = fit_contextual_bt(matchups, features, outcomes, n_models)
    t2 = time.process_time()
    rng = np.random.default_rng(0)
    round_seconds = []
    for _ in range(rounds):
        start = time.process_time()
        fit_contextual_bt(matchups, features, outcomes, n_models, rng.integers(0, len(schedule), size=len(schedule)))
        round_seconds.append(time.process_time() - start)
    _, grad = contextual_bt_loss_and_grad(params, n_models, matchups, features, outcomes, math.log(10.0), 0.5, 0.25)
    # In natural units per battle, as llmkit reports it: rating gradients scale by 1/ln(10).
    grad[:n_models] /= math.log(10.0)
    print(json.dumps({
        "prepareSeconds": t1 - t0, "fitSeconds": t2 - t1, "iterations": iterations,
        "roundSeconds": round_seconds,
        "ratings": (params[:n_models] * 400 + 1000).tolist(), "coefficients": params[n_models:].tolist(),
        "gradientNorm": float(np.abs(grad).max() / len(schedule)),
    }))


if __name__ == "__main__":
    main()
