"""The floor under pipelined task.update on SQLite, next to the host, in one run on one machine.

Creates a database with the host's own admin commands and a task through the host, then runs, twice each and
alternately: the host answering COUNT pipelined task.update requests, and update_floor.c running the same statements
through SQLite's C API (groups of 64 in one transaction, a savepoint each) on the same file.

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


if __name__ == "__main__":
    main()
