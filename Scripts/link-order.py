"""Writes the release link's symbol ordering file (Scripts/taskwire.order) from what a host actually runs.

Four valgrind --tool=callgrind runs of the release binary name every function executed:
  1. a host started, initialized, joined to a room and left idle for two seconds (the idle RSS);
  2. a host answering pipelined task.update requests;
  3. and 4. a host receiving those events over Redis, and over the local relay.
The file lists the functions of run 1, then those of runs 2 to 4 that run 1 did not execute, each group sorted by name so
that a change shows as a small diff. The linker places them in that order at the start of the code; everything
else follows. A name the next build no longer has is skipped by the linker; a new function not yet listed is only
placed among the rest.

Usage: link-order.py TASKWIRE_BINARY OUTPUT   (Scripts/link-order.sh builds the binary and runs this)
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Benchmarks", "Instructions"))
from instructions import call, initialize, receive_run, update_run, world  # noqa: E402


def idle_run(binary, scratch):
    db, token, project = world(binary)
    host = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/idle.out", binary,
                             "serve", "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    initialize(host, token)
    call(host, {"jsonrpc": "2.0", "id": 1, "method": "project.join", "params": {"projectId": project}})
    time.sleep(2)
    host.communicate()


def executed(profile, binary):
    """The functions of `binary` that a callgrind profile saw executing."""
    objects, functions, current, found = {}, {}, None, set()
    pattern = re.compile(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$")
    with open(profile, errors="replace") as lines:
        for line in lines:
            match = pattern.match(line.rstrip("\n"))
            if not match:
                continue
            kind, index, name = match.groups()
            table = objects if kind in ("ob", "cob") else functions
            if name is not None:
                table[index] = name
            if kind == "ob":
                current = objects[index]
            elif kind == "fn" and current and os.path.realpath(current) == os.path.realpath(binary):
                # callgrind marks recursion levels with 'N.
                found.add(re.sub(r"'\d+$", "", functions[index]))
    return found


def main():
    binary, output = os.path.abspath(sys.argv[1]), sys.argv[2]
    scratch = tempfile.mkdtemp(prefix="taskwire-link-order-")
    os.environ.setdefault("VALGRIND_OPTS", "--demangle=no")
    idle_run(binary, scratch)
    update_run(binary, 300, scratch)
    for relay in ("redis", "local"):
        receive_run(binary, 300, relay, scratch)
    code = set()
    for line in subprocess.check_output(["nm", "--defined-only", binary], text=True).splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "tTW":
            code.add(fields[2])
    idle = executed(f"{scratch}/idle.out", binary) & code
    busy = set()
    for name in ("update.out", "receive-redis.out", "receive-local.out"):
        busy |= executed(f"{scratch}/{name}", binary) & code
    busy -= idle
    with open(output, "w") as file:
        file.write("".join(name + "\n" for name in sorted(idle) + sorted(busy)))
    print(f"{output}: {len(idle)} functions from start to idle, then {len(busy)} for requests and deliveries")


if __name__ == "__main__":
    main()
