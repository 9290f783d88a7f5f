#!/usr/bin/env python3
"""Side-by-side measurements for the performance targets, in one run.

Each pair is measured in alternating rounds (A, B, A, B, ...) so that the
noise of a shared machine hits both alike; every figure is the median of the
rounds with min and max, and each ratio is printed with the target it serves
and whether that target is met. Usage:

    python3 bench/compare.py [--rounds 5] [--seconds 3] [--sessim build/sessim] [--cores 4]

Needs wrk (apt-get install wrk) for the generator and proxy comparisons, and
nginx-light / haproxy for those proxies; skips what is missing with a note.
The proxy rows give p99 and p99.9 and, where perf may count tracepoints (as
root, or with kernel.perf_event_paranoid permitting), each proxy's system
calls per request.
Every node a row measures is fresh and far below its session cap.
--cores N pins the nodes, the proxy and wrk to separate sets of N CPUs
(taskset), and redis-server to one CPU of its own; it is skipped, with a
note, where the machine has too few. Starts and stops everything it uses;
loopback only.
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


# CPU sets for --cores: {"nodes": "0-3", "proxy": "4-7", "wrk": "8-11"}; empty: no pinning.
PINS = {}


def pinned(role, command):
    """`command` under taskset when --cores assigned `role` a CPU set."""
    cpus = PINS.get(role)
    return ["taskset", "-c", cpus, *command] if cpus else list(command)


def bench(sessim, args, seconds, role="sessim"):
    out = subprocess.run(pinned(role, [sessim, "bench", "--duration", f"{seconds}s", "--json",
                                       *args]),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def wrk(url, seconds, connections):
    threads = min(connections, 4 if "wrk" in PINS else 2)
    out = subprocess.run(pinned("wrk", ["wrk", f"-t{threads}", f"-c{connections}",
                                        f"-d{seconds}s", url]),
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def summary(values):
    return statistics.median(values), min(values), max(values)


def row(name, values, unit):
    median, low, high = summary(values)
    return f"| {name} | {median:,.1f} {unit} | {low:,.1f} | {high:,.1f} | {len(values)} |"


def target(name, ratio, wanted, higher_is_better=True, exact=False):
    if exact:
        met, sign = ratio == wanted, "="
    else:
        met = ratio >= wanted if higher_is_better else ratio <= wanted
        sign = "≥" if higher_is_better else "≤"
    return f"| {name} | {ratio:.2f} | {sign} {wanted} | {'met' if met else 'not met'} |"


# A node that no row can fill: anonymous traffic makes a session per request.
FRESH = ("--max-sessions", "100000000")


def start_node(sessim, name="bench-node", extra=FRESH):
    process = subprocess.Popen(pinned("nodes", [sessim, "node", "--port", "0", "--name", name,
                                                *extra]),
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
    return process, port


def session_cap(sessim, rounds, seconds):
    """Anonymous traffic (no cookie: a new session per request) against a
    node far below its session cap, and against one that has already made
    30x its cap (2,000) of sessions: the cap must cost nothing per request."""
    fresh, full = [], []
    for _ in range(rounds):
        for extra, into, prefill in ((["--max-sessions", "10000000"], fresh, False),
                                     (["--max-sessions", "2000"], full, True)):
            process, port = start_node(sessim, extra=extra)
            try:
                url = f"http://127.0.0.1:{port}/get-session"
                if prefill:
                    wrk(url, 3, 32)
                into.append(wrk(url, int(seconds), 32))
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait()
    return fresh, full


# wrk's own percentiles stop at 99 %; its Lua hook reads any from the whole
# histogram (microseconds).
WRK_PERCENTILES = """done = function(summary, latency, requests)
  io.write(string.format("sessim-percentiles p99=%d p999=%d\\n",
                         latency:percentile(99), latency:percentile(99.9)))
end
"""


def wrk_with_tail(url, seconds, connections, directory):
    """(req/s, p99 ms, p99.9 ms, requests) of one wrk run."""
    script = os.path.join(directory, "percentiles.lua")
    if not os.path.exists(script):
        with open(script, "w") as f:
            f.write(WRK_PERCENTILES)
    threads = min(connections, 4 if "wrk" in PINS else 2)
    out = subprocess.run(pinned("wrk", ["wrk", f"-t{threads}", f"-c{connections}",
                                        f"-d{seconds}s", "-s", script, url]),
                         check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    requests = int(re.search(r"([0-9]+) requests in", out).group(1))
    p99, p999 = re.search(r"sessim-percentiles p99=([0-9]+) p999=([0-9]+)", out).groups()
    return rps, int(p99) / 1000, int(p999) / 1000, requests


# System calls a proxy makes, counted in the kernel while wrk runs (perf's
# tracepoints: no sampling, little overhead), divided by wrk's requests.
# read_eagain: reads and receives (read, recvfrom: nginx, HAProxy; recvmsg:
# Asio) that found nothing to read (EAGAIN): the speculative read.
SYSCALL_EVENTS = ["raw_syscalls:sys_enter", "syscalls:sys_enter_epoll_wait",
                  "syscalls:sys_exit_read", "syscalls:sys_exit_recvfrom",
                  "syscalls:sys_exit_recvmsg"]


def perf_can_count():
    if not shutil.which("perf"):
        return False
    probe = subprocess.run(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "true"],
                           capture_output=True, text=True)
    return probe.returncode == 0 and "not supported" not in probe.stderr


def process_tree(pid):
    """The pid and its children's (nginx's workers)."""
    found = [pid]
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                text=True).stdout.split():
        found.append(int(child))
    return found


def start_syscall_count(pids, directory):
    out = os.path.join(directory, "perf.csv")
    events = []
    for event in SYSCALL_EVENTS:
        events += ["-e", event]
        if event.startswith("syscalls:sys_exit_"):
            events += ["--filter", "ret == -11"]
    process = subprocess.Popen(["perf", "stat", "-x,", "-o", out, *events,
                                "-p", ",".join(str(p) for p in pids)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.2)  # attached before the load begins
    return process, out


def stop_syscall_count(counting):
    process, out = counting
    process.send_signal(signal.SIGINT)
    process.wait()
    counts = {}
    with open(out) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[0].replace(".", "").isdigit():
                counts[fields[2]] = counts.get(fields[2], 0) + float(fields[0])
    return {"syscalls": counts.get("raw_syscalls:sys_enter", 0),
            "epoll_wait": counts.get("syscalls:sys_enter_epoll_wait", 0),
            "read_eagain": counts.get("syscalls:sys_exit_read", 0) +
                           counts.get("syscalls:sys_exit_recvfrom", 0) +
                           counts.get("syscalls:sys_exit_recvmsg", 0)}


NGINX_CONF = """worker_processes {workers};
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir};
  uwsgi_temp_path {dir}; scgi_temp_path {dir};
  upstream nodes {{ server 127.0.0.1:{p1}; server 127.0.0.1:{p2}; keepalive 128; }}
  server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://nodes;
    proxy_http_version 1.1; proxy_set_header Connection ""; }} }}
}}
"""

HAPROXY_CONF = """global
  nbthread {threads}
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  http-reuse always
frontend front
  bind 127.0.0.1:{port}
  default_backend nodes
backend nodes
  balance roundrobin
  server node-1 127.0.0.1:{p1}
  server node-2 127.0.0.1:{p2}
"""


def wait_for_port(port):
    """Until something accepts on 127.0.0.1:port (5 s at most)."""
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.01)


def proxy_cpus():
    """The CPUs a proxy may use: its pinned set, else the whole machine."""
    return PINS.get("count") or len(os.sched_getaffinity(0))


def start_proxy(kind, sessim, p1, p2, directory):
    """A proxy in front of two nodes; returns (process, port). Each runs as
    many workers or threads as it has CPUs (sessim: its default)."""
    port = free_port()
    if kind == "sessim":
        process = subprocess.Popen(
            # nginx's keepalive 128 is per worker; sessim's --keepalive is per
            # upstream over all its loops: the same total.
            pinned("proxy", [sessim, "balance", "--port", str(port), "--keepalive",
                             str(128 * proxy_cpus()),
                             "-u", f"node-1=http://127.0.0.1:{p1}",
                             "-u", f"node-2=http://127.0.0.1:{p2}"]),
            stdout=subprocess.PIPE, text=True)
        process.stdout.readline()
        return process, port
    if kind == "nginx":
        conf = os.path.join(directory, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=directory, p1=p1, p2=p2, port=port,
                                      workers=proxy_cpus()))
        process = subprocess.Popen(pinned("proxy", ["nginx", "-p", directory, "-c", conf, "-g",
                                                    "daemon off;"]),
                                   stderr=subprocess.DEVNULL)
    else:
        conf = os.path.join(directory, "haproxy.cfg")
        with open(conf, "w") as f:
            f.write(HAPROXY_CONF.format(threads=proxy_cpus(), p1=p1, p2=p2, port=port))
        process = subprocess.Popen(pinned("proxy", ["haproxy", "-f", conf]),
                                   stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return process, port


def compare_proxies(sessim, rounds, seconds):
    """Each proxy in front of fresh nodes (a proxy's idle keep-alive
    connections would otherwise pin the nodes' workers for the next one).
    Each result: (req/s, p99 ms, p99.9 ms, {syscalls, epoll_wait,
    read_eagain} per request, or None where perf cannot count)."""
    kinds = ["sessim"] + [k for k in ("nginx", "haproxy") if shutil.which(k)]
    results = {(k, c): [] for k in kinds for c in (32, 256)}
    directory = tempfile.mkdtemp(prefix="sessim-proxies-")
    counting = perf_can_count()
    if not counting:
        print("(perf cannot count system calls here: those columns are skipped)")
    for _ in range(rounds):
        for kind in kinds:
            nodes = [start_node(sessim, f"node-{i}") for i in (1, 2)]
            proxy, port = start_proxy(kind, sessim, nodes[0][1], nodes[1][1], directory)
            try:
                for connections in (32, 256):
                    count = (start_syscall_count(process_tree(proxy.pid), directory)
                             if counting else None)
                    rps, p99, p999, requests = wrk_with_tail(
                        f"http://127.0.0.1:{port}/healthz", int(seconds), connections, directory)
                    per_request = None
                    if count:
                        totals = stop_syscall_count(count)
                        per_request = {k: v / max(requests, 1) for k, v in totals.items()}
                    results[(kind, connections)].append((rps, p99, p999, per_request))
            finally:
                proxy.send_signal(signal.SIGTERM)
                proxy.wait()
                for process, _ in nodes:
                    process.send_signal(signal.SIGTERM)
                    process.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return kinds, results


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


def loops_under_taskset(sessim):
    """The event loops `sessim run` chooses when confined to CPUs 0-1."""
    out = subprocess.run(["taskset", "-c", "0-1", sessim, "run", "--json"],
                         capture_output=True, text=True).stdout
    return json.loads(out)["environment"]["event_loops"]


def descriptors_estimated(sessim, nodes, loops):
    """What the capacity check says `run --nodes N --loops L` needs (it
    names the figure when the limit is below it)."""
    err = subprocess.run(["sh", "-c", f"ulimit -n 200 && exec {sessim} run --nodes {nodes} "
                                      f"--loops {loops}"],
                         capture_output=True, text=True).stderr
    return int(re.search(r"need about (\d+) open files", err).group(1))


def descriptors_held(sessim, nodes, loops):
    """Open descriptors of `run --nodes N --loops L --keep-running` once the
    reference story has reached every node."""
    process = subprocess.Popen([sessim, "run", "--nodes", str(nodes), "--loops", str(loops),
                                "--keep-running"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if line.startswith("try: curl"):
            break
    held = len(os.listdir(f"/proc/{process.pid}/fd"))
    process.send_signal(signal.SIGTERM)
    process.stderr.read()
    process.wait()
    return held


def redis_on_its_own_cpu(directory):
    """A redis-server pinned to the last CPU (a real deployment runs it
    apart from the app); returns (process, url)."""
    port = free_port()
    last = str(max(os.sched_getaffinity(0)))
    process = subprocess.Popen(["taskset", "-c", last, "redis-server", "--port", str(port),
                                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", directory],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return process, f"redis://127.0.0.1:{port}"


def cluster_ready(sessim, nodes):
    """`sessim run --nodes N --keep-running`: ms from launch to its first line
    (printed once the cluster accepts requests) and the process's RSS in KiB
    once it idles with the cluster up."""
    started = time.perf_counter()
    process = subprocess.Popen([sessim, "run", "--nodes", str(nodes), "--reads", "1",
                                "--keep-running"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    process.stdout.readline()
    ready_ms = (time.perf_counter() - started) * 1000
    for line in process.stdout:
        if line.startswith("cluster still running"):
            break
    with open(f"/proc/{process.pid}/status") as status:
        rss_kib = int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))
    process.send_signal(signal.SIGINT)
    process.stdout.read()
    process.wait()
    return ready_ms, rss_kib


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--sessim", default="build/sessim")
    parser.add_argument("--only", choices=["session-cap", "proxies", "cores", "redis", "start"],
                        help="measure only this (the rows it adds), not the whole table")
    parser.add_argument("--cores", type=int, default=0,
                        help="pin nodes, proxies and wrk to separate sets of this many CPUs")
    args = parser.parse_args()
    sessim = os.path.abspath(args.sessim)
    cpus = sorted(os.sched_getaffinity(0))
    if args.cores:
        if len(cpus) < 3 * args.cores or not shutil.which("taskset"):
            print(f"(--cores {args.cores} needs {3 * args.cores} CPUs and taskset; this machine "
                  f"gives {len(cpus)}: measured unpinned)\n")
        else:
            def cpu_set(i):
                return ",".join(str(c) for c in cpus[i * args.cores:(i + 1) * args.cores])
            PINS.update(nodes=cpu_set(0), proxy=cpu_set(1), wrk=cpu_set(2), count=args.cores)
    figures = {}
    targets = []

    if args.only in ("session-cap", None):
        if shutil.which("wrk"):
            fresh, full = session_cap(sessim, args.rounds, args.seconds)
            figures["wrk -c32 /get-session, anonymous, node far below its cap"] = (fresh, "req/s")
            figures["same, node after 30x its cap of sessions (2,000)"] = (full, "req/s")
            targets.append(target("node past its session cap / fresh node",
                                  statistics.median(full) / statistics.median(fresh), 0.9))
        else:
            print("(wrk is not installed: the session-cap rows are skipped)")
    if args.only in ("cores", None):
        if shutil.which("taskset") and len(cpus) >= 2:
            loops = [loops_under_taskset(sessim) for _ in range(args.rounds)]
            figures["event loops of `run` under taskset -c 0-1"] = (loops, "loops")
            targets.append(target("event loops under taskset -c 0-1 (must be 2)",
                                  statistics.median(loops), 2, exact=True))
        estimate = {2: descriptors_estimated(sessim, 1000, 2),
                    16: descriptors_estimated(sessim, 1000, 16)}
        figures["descriptors estimated for 1,000 nodes, --loops 2"] = ([estimate[2]], "fds")
        figures["descriptors estimated for 1,000 nodes, --loops 16"] = ([estimate[16]], "fds")
        targets.append(target("estimate with --loops 16 / with --loops 2 (must be 1)",
                              estimate[16] / estimate[2], 1, exact=True))
        targets.append(target("1,000 nodes, descriptors estimated", estimate[2], 8192,
                              higher_is_better=False))
        targets.append(target("4,096 nodes, descriptors estimated",
                              descriptors_estimated(sessim, 4096, 2), 20000,
                              higher_is_better=False))
        held = {2: [], 16: []}
        for _ in range(args.rounds):
            for loops in (2, 16):
                held[loops].append(descriptors_held(sessim, 1000, loops))
        figures["descriptors held by 1,000 nodes, --loops 2"] = (held[2], "fds")
        figures["descriptors held by 1,000 nodes, --loops 16"] = (held[16], "fds")
        targets.append(target("held with --loops 16 / with --loops 2",
                              statistics.median(held[16]) / statistics.median(held[2]), 1.05,
                              higher_is_better=False))

    if args.only in ("redis", None):
        # Node with Redis vs node with local memory, behind the same (sticky)
        # balancer, so that every read finds its session in both; sessim on
        # every CPU but the last, redis-server alone on that one.
        directory = tempfile.mkdtemp(prefix="sessim-bench-redis-")
        server, url = redis_on_its_own_cpu(directory)
        if len(cpus) >= 2:
            PINS.setdefault("sessim", ",".join(str(c) for c in cpus[:-1]))
        local, redis = [], []
        try:
            for _ in range(args.rounds):
                local.append(bench(sessim, ["--store", "local", "--balancer", "cookie",
                                            "--users", "32"], args.seconds)["throughput_rps"])
                redis.append(bench(sessim, ["--store", "redis", "--redis-url", url, "--balancer",
                                            "cookie", "--users", "32"],
                                   args.seconds)["throughput_rps"])
        finally:
            server.terminate()
            server.wait()
            shutil.rmtree(directory, ignore_errors=True)
            PINS.pop("sessim", None)
        where = f"sessim on CPUs {cpus[0]}-{cpus[-2]}, redis-server on CPU {cpus[-1]}" \
            if len(cpus) >= 2 else "one CPU"
        figures[f"2 nodes + local, cookie balancer, 32 users (sessim bench; {where})"] = \
            (local, "req/s")
        figures["2 nodes + Redis, same"] = (redis, "req/s")
        targets.append(target("node with Redis / node with local store",
                              statistics.median(redis) / statistics.median(local), 0.8))

    # The whole demo vs Redis alone starting and stopping.
    if args.only in ("start", None):
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

    if args.only in ("proxies", None) and shutil.which("wrk"):
        proxy_lines = proxy_rows(sessim, args, targets)
    else:
        proxy_lines = []
    if args.only:
        print_table(args, figures, proxy_lines, targets)
        return

    # sessim bench's generator vs wrk against the same fresh node.
    if shutil.which("wrk"):
        ours, theirs = [], []
        for _ in range(args.rounds):
            for into in (theirs, ours):
                process, port = start_node(sessim)
                try:
                    url = f"http://127.0.0.1:{port}"
                    if into is theirs:
                        theirs.append(wrk(url + "/get-session", int(args.seconds), 32))
                    else:
                        ours.append(bench(sessim, ["--target", url, "--users", "32",
                                                   "--write-ratio", "0"],
                                          args.seconds)["throughput_rps"])
                finally:
                    process.send_signal(signal.SIGTERM)
                    process.wait()
        figures["wrk -c32 against one fresh node"] = (theirs, "req/s")
        figures["sessim bench --users 32, one fresh node"] = (ours, "req/s")
        targets.append(target("sessim bench / wrk",
                              statistics.median(ours) / statistics.median(theirs), 0.9))
    else:
        print("(wrk is not installed: the generator comparison is skipped)")

    # Cluster start and memory for many in-process nodes.
    sizes = (2, 64, 256, 1000)
    ready = {n: [] for n in sizes}
    rss = {n: [] for n in sizes}
    for _ in range(args.rounds):
        for n in sizes:
            ms, kib = cluster_ready(sessim, n)
            ready[n].append(ms)
            rss[n].append(kib)
    for n in sizes:
        figures[f"{n} in-process nodes: launch to ready (ms)"] = (ready[n], "ms")
        figures[f"{n} in-process nodes: RSS of the whole run (KiB)"] = (rss[n], "KiB")
    targets.append(target("1,000 in-process nodes ready, seconds",
                          statistics.median(ready[1000]) / 1000, 1.0, higher_is_better=False))
    per_node = (statistics.median(rss[1000]) - statistics.median(rss[2])) / 998
    targets.append(target("idle in-process node, KiB of RSS", per_node, 256,
                          higher_is_better=False))

    print_table(args, figures, proxy_lines, targets)


def proxy_rows(sessim, args, targets):
    """The proxies at -c32 and -c256 in front of the same fresh nodes: the
    table's lines, and sessim's ratios to nginx and HAProxy in `targets`."""
    kinds, results = compare_proxies(sessim, args.rounds, args.seconds)
    lines = ["| proxy | connections | req/s median (min–max) | p99 ms | p99.9 ms "
             "| syscalls/req | epoll_wait/req | EAGAIN reads/req |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for (kind, connections), values in results.items():
        rps = [v[0] for v in values]
        p99 = [v[1] for v in values]
        p999 = [v[2] for v in values]
        counted = [v[3] for v in values if v[3]]

        def per_request(name):
            if not counted:
                return "n/a"
            return f"{statistics.median([c[name] for c in counted]):.2f}"
        lines.append(f"| {kind} | {connections} | {statistics.median(rps):,.0f} "
                     f"({min(rps):,.0f}–{max(rps):,.0f}) | {statistics.median(p99):.2f} | "
                     f"{statistics.median(p999):.2f} | {per_request('syscalls')} | "
                     f"{per_request('epoll_wait')} | {per_request('read_eagain')} |")
    for other in ("nginx", "haproxy"):
        if other not in kinds:
            print(f"({other} is not installed: its ratios are skipped)")
            continue
        for connections in (32, 256):
            ours = results[("sessim", connections)]
            theirs = results[(other, connections)]
            targets.append(target(f"sessim balancer / {other}, req/s at -c{connections}",
                                  statistics.median([v[0] for v in ours]) /
                                  statistics.median([v[0] for v in theirs]), 1.0))
            targets.append(target(f"sessim balancer / {other}, p99 at -c{connections}",
                                  statistics.median([v[1] for v in ours]) /
                                  statistics.median([v[1] for v in theirs]), 1.2,
                                  higher_is_better=False))
    return lines


def print_table(args, figures, proxy_lines, targets):
    pins = f"; pinned: {PINS}" if PINS else ""
    print(f"Rounds: {args.rounds}, {args.seconds} s each, alternating; median (min, max); "
          f"{len(os.sched_getaffinity(0))} CPUs{pins}.\n")
    print("| measurement | median | min | max | rounds |\n|---|---:|---:|---:|---:|")
    for name, (values, unit) in figures.items():
        print(row(name, values, unit))
    if proxy_lines:
        print("\nIn front of the same two fresh sessim nodes per measurement, wrk /healthz:\n")
        print("\n".join(proxy_lines))
    print("\n| ratio | measured | target | |\n|---|---:|---|---|")
    for line in targets:
        print(line)


if __name__ == "__main__":
    main()
