"""The scipy side of bench/fit.ts: the same Chinchilla fit, timed.

python3 bench/scipy_fit.py <csv> <bootstrap rounds>
Prints one JSON line: wall-clock and CPU seconds for the 4,500-start grid fit and for the
bootstrap, and the fit.
Same preprocessing (D = C/(6N), five highest losses dropped), objective (Huber, delta = 1e-3,
on log residuals of the log-sum-exp form), grid (Hoffmann et al.), analytic gradient, BFGS;
each bootstrap resample refits from the full-data optimum, as @llmkit/scaling does.
"""
import csv
import json
import sys
import time
from itertools import product

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp, softmax

DELTA = 1e-3


def objective(lN, lD, lL):
    def fg(p):
        a, b, e, al, be = p
        X = np.stack([a - al * lN, b - be * lD, np.full(len(lN), e)])
        r = logsumexp(X, axis=0) - lL
        h = np.clip(r, -DELTA, DELTA)
        W = softmax(X, axis=0)
        g = np.array([np.sum(h * W[0]), np.sum(h * W[1]), np.sum(h * W[2]),
                      -np.sum(h * W[0] * lN), -np.sum(h * W[1] * lD)])
        return np.sum(huber(DELTA, r)), g
    return fg


def main():
    path, rounds = sys.argv[1], int(sys.argv[2])
    rows = list(csv.DictReader(open(path)))
    N = np.array([float(r["Model Size"]) for r in rows])
    L = np.array([float(r["loss"]) for r in rows])
    D = np.array([float(r["Training FLOP"]) for r in rows]) / (6 * N)
    keep = L < sorted(L)[-5]
    lN, lD, lL = np.log(N[keep]), np.log(D[keep]), np.log(L[keep])

    started, cpu = time.perf_counter(), time.process_time()
    fg = objective(lN, lD, lL)
    best = (np.inf, None)
    for al, be, e, a, b in product(np.arange(0, 2.5, 0.5), np.arange(0, 2.5, 0.5), np.arange(-1, 1.5, 0.5),
                                   np.arange(0, 30, 5), np.arange(0, 30, 5)):
        r = minimize(fg, [a, b, e, al, be], jac=True, method="BFGS")
        if r.fun < best[0]:
            best = (r.fun, r.x)
    grid_seconds, grid_cpu = time.perf_counter() - started, time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    rng = np.random.default_rng(0)
    alphas = []
    for _ in range(rounds):
        idx = rng.integers(0, len(lN), len(lN))
        r = minimize(objective(lN[idx], lD[idx], lL[idx]), best[1], jac=True, method="BFGS")
        alphas.append(r.x[3])
    bootstrap_seconds, bootstrap_cpu = time.perf_counter() - started, time.process_time() - cpu
    a, b, e, al, be = best[1]
    print(json.dumps({
        "gridSeconds": grid_seconds,
        "gridCpuSeconds": grid_cpu,
        "bootstrapSeconds": bootstrap_seconds,
        "bootstrapCpuSeconds": bootstrap_cpu,
        "fit": {"E": float(np.exp(e)), "A": float(np.exp(a)), "B": float(np.exp(b)), "alpha": float(al), "beta": float(be)},
        "alphaInterval": [float(np.percentile(alphas, 2.5)), float(np.percentile(alphas, 97.5))],
        "versions": {"numpy": np.__version__, "scipy": __import__("scipy").__version__},
    }))


if __name__ == "__main__":
    main()
