"""Two builds of the host, alternated on the pipelined task.update: where a timing of one build after the other
says nothing on a machine whose speed swings by half within minutes, pairs run back to back do.

Each run: a fresh database, one host, 64 tasks, COUNT task.update requests written at once (round robin over the
tasks) and every response read. It prints, for each run, the updates per second and the host's user and system CPU
time per update (from /proc/PID/stat, before and after), and at the end the medians of each build and in how many
pairs the second build was the faster.

Usage: update_pairs.py FIRST_BINARY SECOND_BINARY [PAIRS] [COUNT]   (defaults: 15 pairs of 20,000 updates)
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Instructions"))
import instructions  # noqa: E402  (world, call, initialize)

TICK = os.sysconf("SC_CLK_TCK")
TASKS = 64


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def run(binary, count):
    db, token, project = instructions.world(binary)
    host = subprocess.Popen([binary, "serve", "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
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
        start = time.perf_counter()
        threading.Thread(target=lambda: (host.stdin.write(requests), host.stdin.flush()), daemon=True).start()
        for _ in range(count):
            reply = json.loads(host.stdout.readline())
            if "error" in reply:
                raise RuntimeError(f"task.update: {reply['error']}")
        elapsed = time.perf_counter() - start
        user_after, system_after = cpu_seconds(host.pid)
        return (count / elapsed, (user_after - user_before) / count * 1e6,
                (system_after - system_before) / count * 1e6)
    finally:
        host.stdin.close()
        host.wait()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binaries = [os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])]
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 20_000
    results = {binary: [] for binary in binaries}
    for pair in range(pairs):
        for binary in binaries:
            rate, user, system = run(binary, count)
            results[binary].append((rate, user, system))
            print(f"pair {pair + 1:2}  {binary}: {rate:8,.0f}/s, host user {user:5.1f} µs, system {system:5.1f} µs "
                  "per update", flush=True)
    for binary in binaries:
        rows = results[binary]
        print(f"{binary}: median {statistics.median(r[0] for r in rows):,.0f}/s (best {max(r[0] for r in rows):,.0f}/s); "
              f"host user {statistics.median(r[1] for r in rows):.1f} µs, system "
              f"{statistics.median(r[2] for r in rows):.1f} µs per update (medians)")
    faster = sum(1 for first, second in zip(*results.values()) if second[0] > first[0])
    print(f"the second build was the faster in {faster} of {pairs} pairs")


if __name__ == "__main__":
    main()
