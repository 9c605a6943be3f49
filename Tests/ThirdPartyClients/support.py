"""Shared helpers for the tests that drive the real `taskwire` binary with third-party client libraries.

Standard library only. A test calls `run(main)`: every check either passes with one `ok - ...` line or ends the
script with `not ok - ...` and exit code 1; child processes are killed whatever happens, and a watchdog ends a
script that would otherwise hang.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterator, NoReturn

TIMEOUT = float(os.environ.get("TASKWIRE_TEST_TIMEOUT", "10"))
"""Seconds that any single step (a command, a reply, a notification, an exit) may take."""

DEADLINE = float(os.environ.get("TASKWIRE_TEST_DEADLINE", "120"))
"""Seconds that a whole test script may take before the watchdog ends it."""


class CheckFailed(Exception):
    """A check that did not hold; its message says what was expected and what came instead."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def ok(description: str) -> None:
    print(f"ok - {description}", flush=True)


def show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def taskwire_binary() -> str:
    path = os.environ.get("TASKWIRE_BIN")
    if not path:
        raise CheckFailed("TASKWIRE_BIN is not set: point it at the taskwire binary to test")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise CheckFailed(f"TASKWIRE_BIN={path} is not an executable file")
    return os.path.abspath(path)


# Child processes and their logs


_children: list[subprocess.Popen[bytes]] = []
_logs: list[Path] = []
_log_directory: Path | None = None
_scratch_directories: list[Path] = []
_children_lock = threading.Lock()


def child_environment(token: str | None = None) -> dict[str, str]:
    """This process's environment for a host, with `TASKWIRE_TOKEN` set to `token` or, without one, removed."""
    environment = {key: value for key, value in os.environ.items() if key != "TASKWIRE_TOKEN"}
    if token is not None:
        environment["TASKWIRE_TOKEN"] = token
    return environment


def spawn(arguments: list[str], name: str, token: str | None = None) -> subprocess.Popen[bytes]:
    """Starts a child with pipes for stdin and stdout; `run` kills it if it is left running and, when the test
    fails, shows the end of its stderr under `name`."""
    global _log_directory
    with _children_lock:
        if _log_directory is None:
            _log_directory = Path(tempfile.mkdtemp(prefix="taskwire-client-logs-"))
        log = _log_directory / f"{name}.stderr.log"
        with open(log, "wb") as stderr:
            process = subprocess.Popen(
                arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=child_environment(token)
            )
        _children.append(process)
        _logs.append(log)
    return process


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


def wait_for_exit(process: subprocess.Popen[bytes], within: float, what: str) -> int:
    try:
        return process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{what} was still running {within:g} s later") from None


def _kill_all_children() -> None:
    with _children_lock:
        children = list(_children)
    for process in children:
        kill(process)


def _print_log_tails(lines: int = 20) -> None:
    with _children_lock:
        logs = list(_logs)
    for log in logs:
        try:
            tail = log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            continue
        if tail:
            print(f"# the end of {log.name}:", file=sys.stderr)
            for line in tail:
                print(f"#   {line}", file=sys.stderr)


def run(main: Callable[[], None], deadline: float = DEADLINE) -> NoReturn:
    """Runs a test script's `main`: exit 0 when every check passed, else 1 with the first failure explained."""

    def expire() -> None:
        print(f"not ok - the test did not finish within {deadline:g} s", flush=True)
        _print_log_tails()
        _clean_up()
        os._exit(1)

    watchdog = threading.Timer(deadline, expire)
    watchdog.daemon = True
    watchdog.start()
    status = 1
    try:
        main()
        status = 0
    except CheckFailed as failure:
        print(f"not ok - {failure}", flush=True)
        _print_log_tails()
    except Exception:
        print("not ok - the test itself failed:", flush=True)
        traceback.print_exc()
        _print_log_tails()
    finally:
        watchdog.cancel()
        _clean_up()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _clean_up() -> None:
    _kill_all_children()
    for directory in [*_scratch_directories, _log_directory]:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


# Databases and the admin CLI


@contextmanager
def scratch_directory() -> Iterator[Path]:
    """A temporary directory for databases; leaving it ends every child still running, then removes it."""
    directory = Path(tempfile.mkdtemp(prefix="taskwire-client-test-"))
    _scratch_directories.append(directory)
    try:
        yield directory
    finally:
        _kill_all_children()
        shutil.rmtree(directory, ignore_errors=True)
        _scratch_directories.remove(directory)


def new_database(directory: Path, name: str = "taskwire") -> Path:
    """A path for a fresh SQLite database in `directory`; the first `taskwire` command creates the file."""
    path = directory / f"{name}.sqlite"
    check(not path.exists(), f"{path} exists already: give each database of a test its own name")
    return path


def admin(binary: str, database: Path, *arguments: str) -> dict[str, Any]:
    """Runs `taskwire admin ARGUMENTS --db DATABASE --json` and returns the JSON object it prints."""
    command = [binary, "admin", *arguments, "--db", str(database), "--json"]
    shown = " ".join(["taskwire", "admin", *arguments])
    try:
        completed = subprocess.run(command, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"`{shown}` did not finish within {TIMEOUT:g} s") from None
    stderr = completed.stderr.decode(errors="replace").strip()
    check(completed.returncode == 0, f"`{shown}` exited with {completed.returncode}: {stderr}")
    try:
        printed = json.loads(completed.stdout)
    except ValueError:
        raise CheckFailed(f"`{shown}` printed no JSON object: {completed.stdout!r}") from None
    check(isinstance(printed, dict), f"`{shown}` printed {printed!r}, not one JSON object")
    return printed


@dataclass(frozen=True)
class User:
    id: str
    name: str
    token: str


@dataclass(frozen=True)
class Organization:
    id: str
    name: str


@dataclass(frozen=True)
class Project:
    id: str
    organization_id: str
    name: str


@dataclass(frozen=True)
class World:
    """A database with one organization, its owner, one more member and one project."""

    binary: str
    database: Path
    directory: Path
    owner: User
    member: User
    organization: Organization
    project: Project


def add_user(binary: str, database: Path, name: str) -> User:
    created = admin(binary, database, "user", "add", "--name", name)
    return User(id=created["id"], name=created["name"], token=created["token"])


def add_organization(binary: str, database: Path, name: str, owner: User) -> Organization:
    created = admin(binary, database, "org", "add", name, "--owner", owner.id)
    return Organization(id=created["id"], name=created["name"])


def add_member(binary: str, database: Path, organization: Organization, user: User, role: str = "member") -> None:
    admin(binary, database, "member", "add", "--org", organization.id, "--user", user.id, "--role", role)


def add_project(binary: str, database: Path, organization: Organization, name: str) -> Project:
    created = admin(binary, database, "project", "add", "--org", organization.id, name)
    return Project(id=created["id"], organization_id=created["organizationId"], name=created["name"])


def make_world(directory: Path, owner: str = "alice", member: str = "bob", organization: str = "Acme",
               project: str = "Website") -> World:
    binary = taskwire_binary()
    database = new_database(directory)
    owner_user = add_user(binary, database, owner)
    member_user = add_user(binary, database, member)
    created_organization = add_organization(binary, database, organization, owner_user)
    add_member(binary, database, created_organization, member_user)
    created_project = add_project(binary, database, created_organization, project)
    return World(binary, database, directory, owner_user, member_user, created_organization, created_project)


# A plain newline-JSON host


class RpcError(Exception):
    def __init__(self, method: str, error: dict[str, Any]) -> None:
        super().__init__(f"{method} answered error {error.get('code')}: {error.get('message')}")
        self.code: int | None = error.get("code")
        self.message: str | None = error.get("message")
        self.data: Any = error.get("data")


class LineHost:
    """`taskwire serve --db DATABASE` spoken to in newline-delimited JSON, one line per message.

    Notifications are kept in arrival order; `notification` waits for one and consumes it. Use as a context
    manager (or call `kill`) so that the process never outlives the test.
    """

    def __init__(self, world: World, name: str, token: str | None = None, arguments: tuple[str, ...] = ()) -> None:
        self.name = name
        self.process = spawn(
            [world.binary, "serve", "--db", str(world.database), *arguments],
            name=name,
            token=token,
        )
        self._ids = itertools.count(1)
        self._replies: dict[Any, dict[str, Any]] = {}
        self._notifications: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self._reader.start()

    def __enter__(self) -> LineHost:
        return self

    def __exit__(self, *_: object) -> None:
        self.kill()

    def _read(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            try:
                message = json.loads(line)
            except ValueError:
                message = {"unreadable": line.decode(errors="replace")}
            with self._changed:
                if isinstance(message, dict) and "id" in message and "method" not in message:
                    self._replies[message["id"]] = message
                else:
                    self._notifications.append(message)
                self._changed.notify_all()

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise CheckFailed(f"the {self.name} host closed its input (exit code {self.process.poll()})") from None

    def _wait(self, ready: Callable[[], Any], what: str, timeout: float) -> Any:
        end = time.monotonic() + timeout
        with self._changed:
            while (found := ready()) is None:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise CheckFailed(f"the {self.name} host: no {what} within {timeout:g} s")
                self._changed.wait(remaining)
            return found

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = TIMEOUT) -> Any:
        """Sends a request and returns its result; an error reply is raised as `RpcError`."""
        request_id = next(self._ids)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)
        reply = self._wait(lambda: self._replies.pop(request_id, None), f"reply to {method}", timeout)
        if "error" in reply:
            raise RpcError(method, reply["error"])
        return reply.get("result")

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    def notification(self, method: str, where: Callable[[dict[str, Any]], bool] = lambda _: True,
                     timeout: float = TIMEOUT) -> dict[str, Any]:
        """Waits for the first notification `method` whose params satisfy `where`, consumes it and returns its params."""

        def take() -> dict[str, Any] | None:
            for index, message in enumerate(self._notifications):
                params = message.get("params")
                if message.get("method") == method and isinstance(params, dict) and where(params):
                    del self._notifications[index]
                    return params
            return None

        return self._wait(take, f"{method} notification", timeout)

    def initialize(self, token: str | None = None, client: str = "taskwire-client-test") -> dict[str, Any]:
        params: dict[str, Any] = {"protocolVersion": "1", "clientInfo": {"name": client, "version": "1.0"}}
        if token is not None:
            params["token"] = token
        return self.call("initialize", params)

    def close(self) -> int:
        """Ends the session the orderly way, `shutdown` then `exit`, and returns the exit code."""
        self.call("shutdown")
        self.notify("exit")
        return wait_for_exit(self.process, TIMEOUT, f"the {self.name} host after shutdown and exit")

    def kill(self) -> None:
        kill(self.process)
