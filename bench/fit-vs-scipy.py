"""Time `recscale fit` against scipy.optimize.curve_fit on the same runs.

Both fit NE = alpha D^-beta + gamma by least squares on log residuals,
once on all runs and again on BOOTSTRAP resamples of the rows. The script
prints the median wall and CPU time of each, the ratios scipy / recscale,
and how far the point estimates and bootstrap standard errors agree. It
exits 1 when they disagree beyond the tolerances below.
bench/fit-vs-scipy.sh runs it.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import scipy
from scipy.optimize import curve_fit

N_RUNS = 1000
BOOTSTRAP = 1000
DATA_SEED = 20240601
# The law and the range of the synthetic runs.
TRUE_ALPHA_AT_1E10 = 0.02
TRUE_BETA = 0.11
TRUE_GAMMA = 0.98
D_MIN, D_MAX = 1e7, 1e11
NOISE_SD = 1e-4  # relative SD of the multiplicative noise on NE

# Both optimizers minimize the same cost over the same data, so they should
# reach one minimum and differ only by where each stops. recscale stops at
# relative steps below 1e-10 (STEP_TOLERANCE in src/fit.c). curve_fit runs
# MINPACK through scipy.optimize.leastsq, which stops at relative steps
# below its default xtol of 1.49e-8 (scipy 1.10). So 1e-6 leaves a wide
# margin above that difference, yet stays below 1/50 of the smallest
# relative standard error on these data (gamma's, near 9e-5).
POINT_RELATIVE_TOLERANCE = 1e-6
# Each bootstrap SD comes from 1000 different resamples, so it has a
# relative sampling error near 1 / sqrt(2 * 999) = 2.2%, and the ratio of
# two independent SDs near 3.2%. A 10% tolerance is about 3 of those SDs.
STDERR_RELATIVE_TOLERANCE = 0.10

PARAMS = ("alpha", "beta", "gamma")


def write_runs(path):
    """Write N_RUNS synthetic runs to path and return their (D, NE) arrays."""
    rng = np.random.default_rng(DATA_SEED)
    d = 10.0 ** rng.uniform(np.log10(D_MIN), np.log10(D_MAX), N_RUNS)
    law = TRUE_GAMMA + TRUE_ALPHA_AT_1E10 * (d / 1e10) ** -TRUE_BETA
    ne = law * (1.0 + NOISE_SD * rng.standard_normal(N_RUNS))
    with open(path, "w") as f:
        f.write("data_samples,ne\n")
        for x, y in zip(d, ne):
            # repr() round-trips, so both programs read the same doubles.
            f.write("%r,%r\n" % (float(x), float(y)))
    return d, ne


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_recscale(recscale, csv, threads, bootstrap):
    """Run `recscale fit` and return (wall s, CPU s, parsed JSON report)."""
    cmd = [recscale, "fit", csv, "--form", "power", "--x", "data_samples",
           "--threads", str(threads), "--format", "json"]
    if bootstrap:
        cmd += ["--bootstrap", str(bootstrap), "--seed", "1"]
    cpu = children_cpu_seconds()
    wall = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - wall
    cpu = children_cpu_seconds() - cpu
    if proc.returncode != 0:
        sys.exit("fit-vs-scipy: %s failed with exit %d: %s"
                 % (" ".join(cmd), proc.returncode, proc.stderr.strip()))
    return wall, cpu, json.loads(proc.stdout)


def log_model(x, alpha, beta, gamma):
    return np.log(alpha * x ** -beta + gamma)


def log_model_jacobian(x, alpha, beta, gamma):
    power = x ** -beta
    model = alpha * power + gamma
    return np.column_stack([power / model,
                            -alpha * power * np.log(x) / model,
                            1.0 / model])


def scipy_start(d, ne):
    """Return a start computed from the data alone, not from the true law.

    gamma starts a little below the smallest NE, beta at 0.5, and alpha so
    that the law passes through the mean NE at the geometric mean of D.
    """
    gamma = ne.min() - 0.1 * (ne.max() - ne.min())
    beta = 0.5
    alpha = (ne.mean() - gamma) * np.exp(beta * np.log(d).mean())
    return [alpha, beta, gamma]


def fit_scipy(d, ne, bootstrap):
    """Fit all runs with curve_fit, then refit each bootstrap resample.

    Each resample starts from the full-data estimate, as in recscale.
    Returns the (wall s, CPU s) of the full-data fit, the (wall s, CPU s)
    of the whole run, the estimates, the bootstrap SDs and the number of
    converged resamples.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    log_ne = np.log(ne)
    # A trial step can make alpha D^-beta + gamma negative, so the log and
    # the residual norm are NaN. Without bounds curve_fit runs MINPACK's
    # lmder, which rejects a trial step unless its residual norm is below
    # 10 times the current one, and a NaN norm fails that comparison.
    with np.errstate(invalid="ignore"):
        estimate, _ = curve_fit(log_model, d, log_ne, p0=scipy_start(d, ne),
                                jac=log_model_jacobian)
        full_fit = (time.perf_counter() - wall, time.process_time() - cpu)
        rng = np.random.default_rng(1)
        replicates = []
        for _ in range(bootstrap):
            rows = rng.integers(0, len(d), len(d))
            try:
                params, _ = curve_fit(log_model, d[rows], log_ne[rows],
                                      p0=estimate, jac=log_model_jacobian)
            except RuntimeError:  # no convergence within maxfev
                continue
            replicates.append(params)
    stderr = np.std(np.array(replicates), axis=0, ddof=1)
    total = (time.perf_counter() - wall, time.process_time() - cpu)
    return full_fit, total, estimate, stderr, len(replicates)


def log_rss(d, ne, params):
    return float(np.sum((np.log(ne) - log_model(d, *params)) ** 2))


CASES = ("recscale, 2 threads", "recscale, 1 thread",
         "recscale, no bootstrap, 1 thread", "scipy, 1 process",
         "scipy, no bootstrap")


def time_cases(recscale, csv, d, ne, repeats):
    """Run every case `repeats` times, one repeat of each case in turn.

    Interleaving the cases makes a burst of load on the machine slow them
    alike. Returns the (wall s, CPU s) of each repeat per case, the JSON reports of
    recscale with 1 and 2 threads, and scipy's estimates, bootstrap SDs and
    converged resamples.
    """
    times = {case: [] for case in CASES}
    for _ in range(repeats):
        wall, cpu, report2 = run_recscale(recscale, csv, 2, BOOTSTRAP)
        times["recscale, 2 threads"].append((wall, cpu))
        wall, cpu, report1 = run_recscale(recscale, csv, 1, BOOTSTRAP)
        times["recscale, 1 thread"].append((wall, cpu))
        wall, cpu, _ = run_recscale(recscale, csv, 1, 0)
        times["recscale, no bootstrap, 1 thread"].append((wall, cpu))
        full_fit, total, *scipy_result = fit_scipy(d, ne, BOOTSTRAP)
        times["scipy, 1 process"].append(total)
        times["scipy, no bootstrap"].append(full_fit)
    return times, report1, report2, scipy_result


def print_timings(times):
    wall = {case: statistics.median(t[0] for t in times[case])
            for case in CASES}
    cpu = {case: statistics.median(t[1] for t in times[case])
           for case in CASES}
    repeats = len(times[CASES[0]])

    print("%-34s %s  %s  %s" % ("wall time (s)", "  ".join(
        "run %d" % (i + 1) for i in range(repeats)), "median",
        "median CPU (s)"))
    for case in CASES:
        print("%-34s %s  %6.3f  %6.3f" % (case, "  ".join(
            "%5.3f" % t[0] for t in times[case]), wall[case], cpu[case]))

    print("\n%-34s %-6s %s" % ("ratio of medians", "wall", "CPU"))
    for label in ("recscale, 2 threads", "recscale, 1 thread"):
        print("scipy / %-26s %-6.3f %.3f" % (
            label, wall["scipy, 1 process"] / wall[label],
            cpu["scipy, 1 process"] / cpu[label]))


def compare_fits(d, ne, report1, report2, scipy_result):
    """Print the estimates and SEs of both side by side, then the checks.

    Returns True when every check passes.
    """
    estimate, stderr, n_boot = scipy_result
    recscale_values = np.array([report1["parameters"][p]["value"]
                                for p in PARAMS])
    recscale_stderr = np.array([report1["parameters"][p]["stderr"]
                                for p in PARAMS])
    point_diff = np.abs(estimate - recscale_values) / np.abs(recscale_values)
    stderr_ratio = stderr / recscale_stderr

    print("%-6s %-20s %-20s %-9s %-10s %-10s %s" % (
        "param", "recscale", "scipy", "rel.diff", "SE recsc.", "SE scipy",
        "SE ratio"))
    for k, name in enumerate(PARAMS):
        print("%-6s %-20.15g %-20.15g %-9.2g %-10.4g %-10.4g %.3f" % (
            name, recscale_values[k], estimate[k], point_diff[k],
            recscale_stderr[k], stderr[k], stderr_ratio[k]))
    print("log RSS: recscale %.15g, scipy %.15g" % (
        log_rss(d, ne, recscale_values), log_rss(d, ne, estimate)))
    print("converged resamples: recscale %d, scipy %d of %d" % (
        report1["statistics"]["n_bootstrap"], n_boot, BOOTSTRAP))

    checks = [
        ("point estimates within %g relative" % POINT_RELATIVE_TOLERANCE,
         bool(np.all(point_diff <= POINT_RELATIVE_TOLERANCE))),
        ("bootstrap SEs within %g%%" % (100 * STDERR_RELATIVE_TOLERANCE),
         bool(np.all(np.abs(stderr_ratio - 1) <= STDERR_RELATIVE_TOLERANCE))),
        ("recscale reports the same with 1 and 2 threads",
         report1["parameters"] == report2["parameters"]),
    ]
    print()
    for label, passed in checks:
        print("%s: %s" % (label, "pass" if passed else "FAIL"))
    return all(passed for _, passed in checks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recscale", required=True,
                        help="path of the recscale binary")
    parser.add_argument("--workdir", required=True,
                        help="existing directory for the CSV of runs")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed repeats of each case (default 3)")
    args = parser.parse_args()

    csv = os.path.join(args.workdir, "runs.csv")
    d, ne = write_runs(csv)
    version = subprocess.run([args.recscale, "--version"], capture_output=True,
                             text=True).stdout.strip()
    load_before = os.getloadavg()[0]
    times, report1, report2, scipy_result = time_cases(
        args.recscale, csv, d, ne, args.repeats)
    load_after = os.getloadavg()[0]

    print("recscale fit vs scipy.optimize.curve_fit: power form, log "
          "residuals, least squares")
    print("%d runs of NE = %g + %g (D/1e10)^-%g, D log-uniform in [%g, %g], "
          "noise SD %g (seed %d)" % (N_RUNS, TRUE_GAMMA, TRUE_ALPHA_AT_1E10,
                                     TRUE_BETA, D_MIN, D_MAX, NOISE_SD,
                                     DATA_SEED))
    print("%s, scipy %s, numpy %s, Python %s" % (
        version, scipy.__version__, np.__version__, sys.version.split()[0]))
    print("%d bootstrap resamples, recscale tries %d starts and scipy 1"
          % (BOOTSTRAP, report1["statistics"]["n_starts"]))
    print("1-minute load average: %.2f before, %.2f after the timings on %d "
          "CPUs\n" % (load_before, load_after, os.cpu_count()))
    print_timings(times)
    print()
    return 0 if compare_fits(d, ne, report1, report2, scipy_result) else 1


if __name__ == "__main__":
    sys.exit(main())
