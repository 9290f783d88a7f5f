#!/usr/bin/env python3
"""Wall time of whole `sessim run` invocations, measured side by side.

Runs each configuration RUNS times, interleaved (so that machine noise hits
all of them alike), and prints a Markdown table of median, min and max.
Usage: bench/walltime.py [--runs N] [--sessim build/sessim]
"""
import argparse
import statistics
import os
import time

CONFIGS = [
    ["--nodes", "2", "--store", "local"],
    ["--nodes", "2", "--store", "redis"],
    ["--nodes", "2", "--store", "local", "--mode", "process"],
    ["--nodes", "2", "--store", "redis", "--mode", "process"],
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sessim", default="build/sessim")
    args = parser.parse_args()
    times = {tuple(c): [] for c in CONFIGS}
    for _ in range(args.runs):
        for config in CONFIGS:
            command = [args.sessim, "run", *config]
            started = time.perf_counter()
            pid = os.posix_spawn(command[0], command, os.environ,
                                 file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
            _, status = os.waitpid(pid, 0)
            elapsed = (time.perf_counter() - started) * 1000
            code = os.waitstatus_to_exitcode(status)
            if code not in (0, 1):
                raise SystemExit(f"sessim run {' '.join(config)} exited {code}")
            times[tuple(config)].append(elapsed)
    print(f"| command (`sessim run ...`) | median ms | min ms | max ms | runs |")
    print("|---|---:|---:|---:|---:|")
    for config, samples in times.items():
        print(f"| `{' '.join(config)}` | {statistics.median(samples):.1f} | {min(samples):.1f} "
              f"| {max(samples):.1f} | {len(samples)} |")


if __name__ == "__main__":
    main()
