"""Instructions per operation of a host, from valgrind's callgrind, which counts the same from run to run on a
noisy machine (wall-clock figures do not).

Each figure is one host process's instruction count for N operations minus the same run with none (start-up,
initialize, join), divided by N:

  update   a host answering N pipelined task.update requests (the writer)
  receive  a host joined to the room while another host commits N pipelined task.update requests: what
           delivering one event costs the receiver, over Redis and over the local relay

Usage: instructions.py TASKWIRE_BINARY [N]   (Scripts/instructions.sh builds the release binary and runs this)
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time


def admin(binary, db, *arguments):
    return json.loads(subprocess.check_output([binary, "admin", *arguments, "--db", db, "--json"]))


def world(binary):
    directory = tempfile.mkdtemp(prefix="taskwire-instructions-")
    db = os.path.join(directory, "instructions.sqlite")
    user = admin(binary, db, "user", "add", "--name", "alice")
    admin(binary, db, "org", "add", "acme", "--owner", "alice")
    project = admin(binary, db, "project", "add", "--org", "acme", "web")
    return db, user["token"], project["id"]


def call(host, message):
    host.stdin.write((json.dumps(message) + "\n").encode())
    host.stdin.flush()
    while True:
        line = host.stdout.readline()
        if not line:
            raise RuntimeError(f"the host ended before answering {message['method']}")
        reply = json.loads(line)
        if reply.get("id") == message["id"]:
            if "error" in reply:
                raise RuntimeError(f"{message['method']}: {reply['error']}")
            return reply["result"]


def initialize(host, token):
    call(host, {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "1", "token": token}})


def updates(task_id, count):
    return b"".join(
        (json.dumps({"jsonrpc": "2.0", "id": 10 + i, "method": "task.update",
                     "params": {"id": task_id, "expectedVersion": 1 + i, "title": f"title {i}"}}) + "\n").encode()
        for i in range(count))


def callgrind(output):
    return ["valgrind", "--tool=callgrind", f"--callgrind-out-file={output}"]


def instructions(log):
    found = re.findall(r"I\s+refs:\s+([\d,]+)", log)
    if not found:
        raise RuntimeError("valgrind printed no instruction count:\n" + log[-2000:])
    return int(found[-1].replace(",", ""))


def update_run(binary, count, scratch):
    db, token, project = world(binary)
    host = subprocess.Popen(callgrind(os.path.join(scratch, "update.out")) + [binary, "serve", "--db", db],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    initialize(host, token)
    task = call(host, {"jsonrpc": "2.0", "id": 1, "method": "task.create",
                       "params": {"projectId": project, "title": "x"}})["task"]
    threading.Thread(target=lambda: (host.stdin.write(updates(task["id"], count)), host.stdin.flush()),
                     daemon=True).start()
    answered = 0
    while answered < count:
        reply = json.loads(host.stdout.readline())
        if reply.get("id", 0) >= 10:
            if "error" in reply:
                raise RuntimeError(f"task.update: {reply['error']}")
            answered += 1
    _, log = host.communicate()  # closes stdin: the host's end of input
    return instructions(log.decode(errors="replace"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis():
    """A redis-server of the run's own on a free loopback port, once it accepts connections: (process, URL)."""
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    deadline = time.time() + 5
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return redis, f"redis://127.0.0.1:{port}"
        except OSError:
            if time.time() > deadline:
                redis.kill()
                raise
            time.sleep(0.05)


def receive_run(binary, count, relay, scratch):
    db, token, project = world(binary)
    redis = None
    arguments = []
    if relay == "redis":
        redis, url = start_redis()
        arguments = ["--redis", url]
    try:
        writer = subprocess.Popen([binary, "serve", "--db", db] + arguments, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        receiver = subprocess.Popen(callgrind(os.path.join(scratch, f"receive-{relay}.out"))
                                    + [binary, "serve", "--db", db] + arguments,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        initialize(writer, token)
        initialize(receiver, token)
        task = call(writer, {"jsonrpc": "2.0", "id": 1, "method": "task.create",
                             "params": {"projectId": project, "title": "x"}})["task"]
        call(receiver, {"jsonrpc": "2.0", "id": 1, "method": "project.join",
                        "params": {"projectId": project, "since": 1}})
        threading.Thread(target=lambda: (writer.stdin.write(updates(task["id"], count)), writer.stdin.flush()),
                         daemon=True).start()
        threading.Thread(target=lambda: [None for _ in iter(writer.stdout.readline, b"")], daemon=True).start()
        delivered = 0
        while delivered < count:
            line = receiver.stdout.readline()
            if not line:
                raise RuntimeError("the receiving host ended early")
            if json.loads(line).get("method") == "task.updated":
                delivered += 1
        writer.stdin.close()
        writer.wait()
        _, log = receiver.communicate()  # closes stdin: the host's end of input
        return instructions(log.decode(errors="replace"))
    finally:
        if redis:
            redis.terminate()
            redis.wait()


def main():
    binary = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    scratch = tempfile.mkdtemp(prefix="taskwire-callgrind-")
    rows = []
    base, full = update_run(binary, 0, scratch), update_run(binary, count, scratch)
    rows.append((f"task.update, {count:,} pipelined to one host, per update", (full - base) / count))
    for relay in ("redis", "local"):
        base, full = receive_run(binary, 0, relay, scratch), receive_run(binary, count, relay, scratch)
        rows.append((f"receiving host, per delivered event ({relay} relay)", (full - base) / count))
    print(f"Instructions per operation (callgrind), {binary}")
    for label, value in rows:
        print(f"  {label:<62} {value / 1000:8.1f}k")


if __name__ == "__main__":
    main()
