"""Two builds of the host, alternated on the pipelined task.update: where a timing of one build after the other
says nothing on a machine whose speed swings by half within minutes, pairs run back to back do.

Each run: a fresh database, one host, 64 tasks, COUNT task.update requests written at once (round robin over the
tasks) and every response read. It prints, for each run, the updates per second and the host's user and system CPU
time per update (from /proc/PID/stat, before and after), and at the end the medians of each build and in how many
pairs the second build was the faster.

With --redis, every host publishes its events through a redis-server of the run's own (as the bench's hosts do),
and the CPU time Redis took per update is printed too.

Usage: update_pairs.py [--redis] FIRST_BINARY SECOND_BINARY [PAIRS] [COUNT]   (defaults: 15 pairs of 20,000 updates)
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Instructions"))
import instructions  # noqa: E402  (world, call, initialize, start_redis)

TICK = os.sysconf("SC_CLK_TCK")
TASKS = 64


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def run(binary, count, redis=None):
    db, token, project = instructions.world(binary)
    relay = ["--redis", redis[1]] if redis else []
    host = subprocess.Popen([binary, "serve", "--db", db] + relay, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        instructions.initialize(host, token)
        ids = [instructions.call(host, {"jsonrpc": "2.0", "id": 1, "method": "task.create",
                                        "params": {"projectId": project, "title": "x"}})["task"]["id"]
               for _ in range(TASKS)]
        requests = b"".join(
            (json.dumps({"jsonrpc": "2.0", "id": 10 + i, "method": "task.update",
                         "params": {"id": ids[i % TASKS], "expectedVersion": 1 + i // TASKS,
                                    "title": f"title {i}"}}) + "\n").encode()
            for i in range(count))
        user_before, system_before = cpu_seconds(host.pid)
        redis_before = sum(cpu_seconds(redis[0].pid)) if redis else 0
        start = time.perf_counter()
        threading.Thread(target=lambda: (host.stdin.write(requests), host.stdin.flush()), daemon=True).start()
        for _ in range(count):
            reply = json.loads(host.stdout.readline())
            if "error" in reply:
                raise RuntimeError(f"task.update: {reply['error']}")
        elapsed = time.perf_counter() - start
        user_after, system_after = cpu_seconds(host.pid)
        redis_cpu = (sum(cpu_seconds(redis[0].pid)) - redis_before) / count * 1e6 if redis else 0
        return (count / elapsed, (user_after - user_before) / count * 1e6,
                (system_after - system_before) / count * 1e6, redis_cpu)
    finally:
        host.stdin.close()
        host.wait()


def main():
    arguments = sys.argv[1:]
    with_redis = "--redis" in arguments
    arguments = [argument for argument in arguments if argument != "--redis"]
    if len(arguments) < 2:
        sys.exit(__doc__)
    binaries = [os.path.abspath(arguments[0]), os.path.abspath(arguments[1])]
    pairs = int(arguments[2]) if len(arguments) > 2 else 15
    count = int(arguments[3]) if len(arguments) > 3 else 20_000
    redis = instructions.start_redis() if with_redis else None
    results = {binary: [] for binary in binaries}
    try:
        for pair in range(pairs):
            for binary in binaries:
                rate, user, system, redis_cpu = run(binary, count, redis)
                results[binary].append((rate, user, system))
                print(f"pair {pair + 1:2}  {binary}: {rate:8,.0f}/s, host user {user:5.1f} µs, system {system:5.1f} µs "
                      "per update" + (f", Redis {redis_cpu:5.1f} µs" if redis else ""), flush=True)
    finally:
        if redis:
            redis[0].terminate()
            redis[0].wait()
    for binary in binaries:
        rows = results[binary]
        print(f"{binary}: median {statistics.median(r[0] for r in rows):,.0f}/s (best {max(r[0] for r in rows):,.0f}/s); "
              f"host user {statistics.median(r[1] for r in rows):.1f} µs, system "
              f"{statistics.median(r[2] for r in rows):.1f} µs per update (medians)")
    faster = sum(1 for first, second in zip(*results.values()) if second[0] > first[0])
    print(f"the second build was the faster in {faster} of {pairs} pairs")


if __name__ == "__main__":
    main()
