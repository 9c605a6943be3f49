"""The floor under pipelined task.update on SQLite, next to the host, in one run on one machine.

Creates a database with the host's own admin commands and a task through the host, then runs, twice each and
alternately: the host answering COUNT pipelined task.update requests, and update_floor.c running the same statements
through SQLite's C API (groups of 64 in one transaction, a savepoint each) on the same file.

Then the same one at a time (3,000 each): the host's p50 from request to reply, next to the floor under it, which
is a `ping` round trip through the same pipes plus one update in a transaction of its own through SQLite's C API
(update_floor.c with groups of 1).

Usage: update_floor.py TASKWIRE_BINARY FLOOR_BINARY [COUNT]   (Scripts/update-floor.sh builds both and runs this)
"""

import os
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Instructions"))
from instructions import call, initialize, updates, world  # noqa: E402


def host_run(binary, db, token, project, count):
    host = subprocess.Popen([binary, "serve", "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    initialize(host, token)
    task = call(host, {"jsonrpc": "2.0", "id": 1, "method": "task.create",
                       "params": {"projectId": project, "title": "x"}})["task"]
    requests = updates(task["id"], count)
    answered = []

    def read():
        for _ in range(count):
            answered.append(host.stdout.readline())

    reader = threading.Thread(target=read)
    reader.start()
    start = time.perf_counter()
    host.stdin.write(requests)
    host.stdin.flush()
    reader.join()
    elapsed = time.perf_counter() - start
    host.stdin.close()
    host.wait()
    errors = sum(1 for line in answered if b'"error"' in line)
    return count / elapsed, errors, task


def one_at_a_time(binary, db, token, project, count):
    """The host's p50 for task.update and for ping, one request at a time, in microseconds."""
    host = subprocess.Popen([binary, "serve", "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    initialize(host, token)
    task = call(host, {"jsonrpc": "2.0", "id": 1, "method": "task.create",
                       "params": {"projectId": project, "title": "x"}})["task"]
    figures = {}
    for method in ("task.update", "ping"):
        latencies = []
        for i in range(count):
            params = {"id": task["id"], "expectedVersion": 1 + i, "title": f"title {i}"} if method == "task.update" \
                else {}
            start = time.perf_counter()
            call(host, {"jsonrpc": "2.0", "id": 10 + i, "method": method, "params": params})
            latencies.append(time.perf_counter() - start)
        latencies.sort()
        figures[method] = latencies[len(latencies) // 2] * 1e6
    host.stdin.close()
    host.wait()
    return figures, task


def main():
    binary, floor = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    db, token, project = world(binary)
    with sqlite3.connect(db) as connection:
        user = connection.execute("SELECT id FROM users LIMIT 1").fetchone()[0]
    for _ in range(2):
        rate, errors, task = host_run(binary, db, token, project, count)
        print(f"host, {count} task.update pipelined:            {rate:,.0f}/s ({errors} errors)")
        out = subprocess.check_output([floor, db, task["id"], project, user, "floor-session", str(count)]).decode()
        print(f"the same statements through SQLite's C API:  {out.strip()}")
    for _ in range(2):
        figures, task = one_at_a_time(binary, db, token, project, 3000)
        out = subprocess.check_output([floor, db, task["id"], project, user, "floor-session", "3000", "1"]).decode()
        per_update = float(out.split(" s:")[0].split(" in ")[1]) / 3000 * 1e6
        print(f"host, task.update one at a time, p50:        {figures['task.update']:.0f} us")
        print(f"floor: ping p50 {figures['ping']:.0f} us + one update alone through SQLite's C API {per_update:.0f} us"
              f" = {figures['ping'] + per_update:.0f} us")


if __name__ == "__main__":
    main()
