#!/usr/bin/env python3
"""Fit the efficiency factors of the A100 and H100 profiles to the measured
MLPerf Training DLRM-DCNv2 times, and print the predictions that
VALIDATION.md records.

Per family the fit scales dense_efficiency_frac and gather_efficiency_frac
by one common factor (their ratio stays as assumed) and, for H100, whose
points include a multi-node run, also fits network_efficiency_frac.  The
objective is the sum of squared log errors of time to train over the
family's points.  Run from the top of the repository after building:

    python3 bench/calibrate-mlperf.py [--predict]
"""
import json
import math
import subprocess
import sys

RECSCALE = "./recscale"
SCENARIO = "scenarios/mlperf-dlrm-dcnv2.cfg"

# Measured times to train (minutes), olympic mean of 10 runs, from the
# MLPerf Training v3.0 and v4.0 result logs (mlcommons/training_results).
POINTS = {
    "a100-80gb-hgx": [("v3.0 Dell XE9680, 8x A100-SXM-80GB", 1, 55296, 8.41)],
    "h100-hgx": [
        ("v3.0 NVIDIA DGX H100", 1, 55296, 4.18),
        ("v4.0 NVIDIA DGX H100 (Eos)", 1, 55296, 3.84),
        ("v3.0 NVIDIA 8x DGX H100 (InfiniBand)", 8, 135168, 1.76),
    ],
}

# Systems and sizes that were not used to fit anything.
PREDICT = [
    ("8x H200", "h200-hgx", 1, 55296),
    ("8x B200", "b200-hgx", 1, 55296),
    ("8x MI300X", "mi300x-oam", 1, 55296),
    ("16 nodes of 8x H100", "h100-hgx", 16, 135168),
    ("32 nodes of 8x H100", "h100-hgx", 32, 135168),
    ("8 nodes of 8x A100, 2x200 GbE", "a100-80gb-eth", 8, 135168),
]


def profile_value(profile, key):
    out = subprocess.run([RECSCALE, "hw", "show", profile, "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["values"][key]["value"]


def simulate(profile, nodes, batch, overrides=()):
    cmd = [RECSCALE, "simulate", SCENARIO, "--hw", profile, "--nodes",
           str(nodes), "--batch", str(batch), "--format", "json"]
    for key, value in overrides:
        cmd += ["--set", "%s=%.6g" % (key, value)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["time_to_train_s"] / 60.0


def cost(profile, dense, gather, network):
    total = 0.0
    for _, nodes, batch, measured in POINTS[profile]:
        predicted = simulate(profile, nodes, batch, (
            ("dense_efficiency_frac", dense),
            ("gather_efficiency_frac", gather),
            ("network_efficiency_frac", network)))
        total += math.log(predicted / measured) ** 2
    return total


def golden(f, lo, hi, iterations=40):
    """Minimise f over [lo, hi] by golden-section search."""
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iterations):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (a + b) / 2.0


def fit(profile):
    dense0 = profile_value(profile, "dense_efficiency_frac")
    gather0 = profile_value(profile, "gather_efficiency_frac")
    network0 = profile_value(profile, "network_efficiency_frac")
    # The largest scale keeps both efficiencies at or below 1.
    top = 1.0 / max(dense0, gather0)

    def best_scale(network):
        return golden(lambda s: cost(profile, dense0 * s, gather0 * s, network),
                      0.2, top)

    if any(nodes > 1 for _, nodes, _, _ in POINTS[profile]):
        network = golden(lambda n: cost(profile, dense0 * best_scale(n),
                                        gather0 * best_scale(n), n),
                         0.05, 1.0, iterations=25)
    else:
        network = network0
    scale = best_scale(network)
    return dense0 * scale, gather0 * scale, network


def main():
    if "--predict" not in sys.argv:
        for profile in POINTS:
            dense, gather, network = fit(profile)
            print("%s: dense_efficiency_frac = %.4f, gather_efficiency_frac"
                  " = %.4f, network_efficiency_frac = %.4f"
                  % (profile, dense, gather, network))
        return
    print("| system | GPUs | global batch | measured (min) | predicted (min) "
          "| error |")
    print("|---|---|---|---|---|---|")
    for profile, points in POINTS.items():
        for name, nodes, batch, measured in points:
            predicted = simulate(profile, nodes, batch)
            print("| %s | %d | %d | %.2f | %.2f | %+.1f%% |"
                  % (name, nodes * 8, batch, measured, predicted,
                     100.0 * (predicted / measured - 1.0)))
    print()
    print("| system | profile | nodes | global batch | predicted (min) |")
    print("|---|---|---|---|---|")
    for name, profile, nodes, batch in PREDICT:
        print("| %s | %s | %d | %d | %.2f |"
              % (name, profile, nodes, batch, simulate(profile, nodes, batch)))


if __name__ == "__main__":
    main()
