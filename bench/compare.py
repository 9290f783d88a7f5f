#!/usr/bin/env python3
"""Side-by-side measurements for the performance targets, in one run.

Each pair is measured in alternating rounds (A, B, A, B, ...) so that the
noise of a shared machine hits both alike; every figure is the median of the
rounds with min and max, and each ratio is printed with the target it serves
and whether that target is met. Usage:

    python3 bench/compare.py [--rounds 5] [--seconds 3] [--sessim build/sessim]

Needs wrk (apt-get install wrk) for the generator comparison; skips that pair
with a note without it. Starts and stops everything it uses; loopback only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench(sessim, args, seconds):
    out = subprocess.run([sessim, "bench", "--duration", str(seconds), "--json", *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def wrk(url, seconds, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def summary(values):
    return statistics.median(values), min(values), max(values)


def row(name, values, unit):
    median, low, high = summary(values)
    return f"| {name} | {median:,.1f} {unit} | {low:,.1f} | {high:,.1f} | {len(values)} |"


def target(name, ratio, wanted, higher_is_better=True):
    met = ratio >= wanted if higher_is_better else ratio <= wanted
    sign = "≥" if higher_is_better else "≤"
    return f"| {name} | {ratio:.2f} | {sign} {wanted} | {'met' if met else 'not met'} |"


def start_node(sessim):
    process = subprocess.Popen([sessim, "node", "--port", "0", "--name", "bench-node"],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
    return process, port


def wall_ms(command):
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def redis_alone_ms(redis_server):
    """redis-server started on a free port until it answers PING, then SHUTDOWN."""
    directory = tempfile.mkdtemp(prefix="sessim-bench-")
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([redis_server, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", directory],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    s.sendall(b"SHUTDOWN NOSAVE\r\n")
                    break
        except OSError:
            time.sleep(0.001)
    process.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--sessim", default="build/sessim")
    args = parser.parse_args()
    sessim = os.path.abspath(args.sessim)
    figures = {}
    targets = []

    # Node with Redis vs node with local memory, behind the same (sticky)
    # balancer, so that every read finds its session in both.
    local, redis = [], []
    for _ in range(args.rounds):
        local.append(bench(sessim, ["--store", "local", "--balancer", "cookie", "--users", "32"],
                           args.seconds)["throughput_rps"])
        redis.append(bench(sessim, ["--store", "redis", "--balancer", "cookie", "--users", "32"],
                           args.seconds)["throughput_rps"])
    figures["2 nodes + local, cookie balancer, 32 users (sessim bench)"] = (local, "req/s")
    figures["2 nodes + Redis, same"] = (redis, "req/s")
    targets.append(target("node with Redis / node with local store",
                          statistics.median(redis) / statistics.median(local), 0.8))

    # sessim bench's generator vs wrk against the same node.
    if shutil.which("wrk"):
        process, port = start_node(sessim)
        try:
            url = f"http://127.0.0.1:{port}"
            ours, theirs = [], []
            for _ in range(args.rounds):
                theirs.append(wrk(url + "/get-session", int(args.seconds), 32))
                ours.append(bench(sessim, ["--target", url, "--users", "32", "--write-ratio", "0"],
                                  args.seconds)["throughput_rps"])
            figures["wrk -c32 against one node"] = (theirs, "req/s")
            figures["sessim bench --users 32, same node"] = (ours, "req/s")
            targets.append(target("sessim bench / wrk",
                                  statistics.median(ours) / statistics.median(theirs), 0.9))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait()
    else:
        print("(wrk is not installed: the generator comparison is skipped)")

    # The whole demo vs Redis alone starting and stopping.
    redis_server = shutil.which("redis-server")
    run, alone = [], []
    for _ in range(args.rounds * 2):
        run.append(wall_ms([sessim, "run", "--nodes", "2", "--store", "redis"]))
        alone.append(redis_alone_ms(redis_server))
    figures["sessim run --nodes 2 --store redis (wall)"] = (run, "ms")
    figures["redis-server alone: start, PING, SHUTDOWN"] = (alone, "ms")
    targets.append(target("sessim run / redis-server alone",
                          statistics.median(run) / statistics.median(alone), 2.0,
                          higher_is_better=False))

    print(f"Rounds: {args.rounds}, {args.seconds} s each, alternating; median (min, max).\n")
    print("| measurement | median | min | max | rounds |\n|---|---:|---:|---:|---:|")
    for name, (values, unit) in figures.items():
        print(row(name, values, unit))
    print("\n| ratio | measured | target | |\n|---|---:|---|---|")
    for line in targets:
        print(line)


if __name__ == "__main__":
    main()
