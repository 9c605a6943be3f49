"""A whole session with the real host through python-lsp-jsonrpc, the way an editor extension holds one.

The client speaks only the LSP base protocol (`Content-Length` headers), through the library's
JsonRpcStreamReader, JsonRpcStreamWriter and Endpoint; the host must detect that framing from the first bytes and
answer in it. A second, newline-JSON host on the same database plays a teammate whose changes reach the room.
"""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from typing import IO, Any, Callable

from pylsp_jsonrpc.endpoint import Endpoint
from pylsp_jsonrpc.exceptions import JsonRpcException
from pylsp_jsonrpc.streams import JsonRpcStreamReader, JsonRpcStreamWriter

import support
from support import TIMEOUT, CheckFailed, LineHost, World, check, ok, show

CONFLICT = -32009
# Non-ASCII on purpose: Content-Length counts bytes, not characters, in replies and in notifications.
TITLE = "Écrire le billet de lancement ✓"
TEAMMATE_TITLE = "Relire le billet 🚀"
EXPECTED_NOTIFICATIONS = ["relay.status", "presence.joined", "task.created"]


class RecordingStream:
    """The host's stdin as JsonRpcStreamWriter uses it, keeping a copy of every byte written."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.written = bytearray()

    @property
    def closed(self) -> bool:
        return self._stream.closed

    def write(self, data: bytes) -> int:
        self.written += data
        return self._stream.write(data)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()

    def messages(self) -> list[dict[str, Any]]:
        """Everything sent so far, decoded by the library's own reader."""
        decoded: list[dict[str, Any]] = []
        JsonRpcStreamReader(io.BytesIO(bytes(self.written))).listen(decoded.append)
        return decoded


class Notifications:
    """The dispatcher given to Endpoint: keeps every notification of the host, in arrival order."""

    def __init__(self) -> None:
        self.received: list[tuple[str, Any]] = []
        self._changed = threading.Condition()

    def __getitem__(self, method: str) -> Callable[[Any], None]:
        def handle(params: Any) -> None:
            with self._changed:
                self.received.append((method, params))
                self._changed.notify_all()

        return handle

    def wait_for(self, method: str, where: Callable[[dict[str, Any]], bool] = lambda _: True,
                 timeout: float = TIMEOUT) -> dict[str, Any]:
        def matching() -> dict[str, Any] | None:
            for name, params in self.received:
                if name == method and isinstance(params, dict) and where(params):
                    return params
            return None

        with self._changed:
            if not self._changed.wait_for(lambda: matching() is not None, timeout):
                seen = [name for name, _ in self.received]
                raise CheckFailed(f"no matching {method} notification within {timeout:g} s; received only {seen}")
            found = matching()
            assert found is not None
            return found

    def methods(self) -> list[str]:
        with self._changed:
            return [name for name, _ in self.received]


class LspSession:
    """`taskwire serve` with default (auto) framing, spoken to only through pylsp_jsonrpc."""

    def __init__(self, world: World, null_params_for: set[str]) -> None:
        self.process = support.spawn([world.binary, "serve", "--db", str(world.database)], name="editor")
        assert self.process.stdin is not None and self.process.stdout is not None
        self.sent = RecordingStream(self.process.stdin)
        self.notifications = Notifications()
        self._writer = JsonRpcStreamWriter(self.sent)
        self._null_params_for = null_params_for
        self.endpoint = Endpoint(self.notifications, self._send)
        self._reader = JsonRpcStreamReader(self.process.stdout)
        self._listener = threading.Thread(target=self._reader.listen, args=(self.endpoint.consume,), daemon=True)
        self._listener.start()

    def _send(self, message: dict[str, Any]) -> None:
        """Endpoint's consumer. Endpoint leaves `params` out when it is None; for the methods in `null_params_for`
        this sends `"params": null` instead, as jsonrpc.el and older vscode-jsonrpc do for parameterless calls."""
        if message.get("method") in self._null_params_for and "params" not in message:
            message = {**message, "params": None}
        self._writer.write(message)

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """The result of `method`; an error reply is raised as the library's JsonRpcException."""
        future = self.endpoint.request(method, params)
        try:
            return future.result(timeout=TIMEOUT)
        except FutureTimeout:
            raise CheckFailed(
                f"no reply to {method} within {TIMEOUT:g} s (exit code {self.process.poll()}); "
                "a host that does not answer with Content-Length headers looks like this"
            ) from None

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """The result of `method`, which must succeed."""
        try:
            return self.request(method, params)
        except JsonRpcException as error:
            raise CheckFailed(f"{method} answered error {error.code}: {error.message} {show(error.data)}") from None

    def sent_message(self, method: str) -> dict[str, Any]:
        found = [message for message in self.sent.messages() if message.get("method") == method]
        check(len(found) == 1, f"expected one {method} message on the wire, found {len(found)}")
        return found[0]


def main() -> None:
    with support.scratch_directory() as directory:
        world = support.make_world(directory)
        ok(f"admin CLI made {world.owner.name} (owner), {world.member.name} (member), "
           f"{world.organization.name} and project {world.project.name}")
        editor = LspSession(world, null_params_for={"shutdown"})
        with LineHost(world, "second", token=world.member.token) as teammate:
            session = check_initialize(editor, world)
            check_projects(editor, world)
            created_seq = check_create_and_get(editor, world)
            joined = check_join(editor, world, session, created_seq)
            teammate_session = check_teammate_joins(editor, teammate, world)
            teammate_task = check_teammate_creates(editor, teammate, world, teammate_session, joined["seq"])
            check_stale_update(editor, teammate_task)
            check_shutdown_and_exit(editor, teammate, world, session)
            check(teammate.close() == 0, "the second host did not exit with code 0 after shutdown and exit")
        received = editor.notifications.methods()
        check(received == EXPECTED_NOTIFICATIONS,
              f"the editor received the notifications {received}, expected exactly {EXPECTED_NOTIFICATIONS}")
        ok(f"no duplicate or extra notification: {', '.join(received)}")


def check_initialize(editor: LspSession, world: World) -> str:
    result = editor.call("initialize", {
        "protocolVersion": "1",
        "clientInfo": {"name": "pylsp-jsonrpc-test", "version": "1.1.2"},
        "token": world.owner.token,
    })
    user = result.get("user")
    check(user == {"id": world.owner.id, "name": world.owner.name},
          f"initialize returned user {show(user)}, expected {world.owner.name} ({world.owner.id})")
    check(result.get("protocolVersion") == "1", f"initialize returned protocolVersion {result.get('protocolVersion')!r}")
    check(result.get("serverInfo", {}).get("name") == "taskwire", f"serverInfo is {show(result.get('serverInfo'))}")
    session = result.get("sessionId")
    check(isinstance(session, str) and session != "", f"sessionId is {session!r}")
    ok(f"initialize over Content-Length framing returns user {user['name']} and session {session}")

    relay = result.get("capabilities", {}).get("relay")
    status = editor.notifications.wait_for("relay.status")
    check(status.get("state") == "connected" and status.get("relay") == relay,
          f"relay.status is {show(status)}, expected state connected and relay {relay!r} (from capabilities)")
    ok(f"relay.status notification arrives: {show(status)}")
    return session


def check_projects(editor: LspSession, world: World) -> None:
    projects = editor.call("project.list").get("projects", [])
    listed = [project for project in projects if project.get("id") == world.project.id]
    check(len(listed) == 1 and listed[0].get("name") == world.project.name and listed[0].get("role") == "owner",
          f"project.list returned {show(projects)}, expected {world.project.name} ({world.project.id}) as owner")
    wire = editor.sent_message("project.list")
    check("params" not in wire, f"pylsp_jsonrpc was expected to leave params out for params=None, sent {show(wire)}")
    ok(f"project.list (params omitted on the wire) shows {world.project.name} with role owner")


def check_create_and_get(editor: LspSession, world: World) -> int:
    created = editor.call("task.create", {"projectId": world.project.id, "title": TITLE, "labels": ["launch"]})
    task = created.get("task", {})
    check(task.get("title") == TITLE and task.get("version") == 1 and task.get("status") == "todo"
          and task.get("createdBy") == world.owner.id,
          f"task.create returned {show(created)}, expected a todo task at version 1 titled {TITLE!r}")
    check(created.get("seq") == 1, f"task.create returned seq {created.get('seq')!r}, expected 1 in a new project")
    fetched = editor.call("task.get", {"id": task["id"]}).get("task")
    check(fetched == task, f"task.get returned {show(fetched)}, expected the created task {show(task)}")
    ok(f"task.create then task.get return the same task {task['id']} (non-ASCII title intact)")
    return int(created["seq"])


def check_join(editor: LspSession, world: World, session: str, created_seq: int) -> dict[str, Any]:
    joined = editor.call("project.join", {"projectId": world.project.id})
    present = [entry.get("sessionId") for entry in joined.get("presence", [])]
    check(joined.get("projectId") == world.project.id and joined.get("seq") == created_seq and present == [session],
          f"project.join returned {show(joined)}, expected seq {created_seq} (the last event) "
          f"and only this session ({session}) present")
    ok(f"project.join: seq {joined['seq']}, presence lists only this session")
    return joined


def check_teammate_joins(editor: LspSession, teammate: LineHost, world: World) -> str:
    initialized = teammate.initialize()
    check(initialized.get("user", {}).get("id") == world.member.id,
          f"the second host (token from TASKWIRE_TOKEN) initialized as {show(initialized.get('user'))}, "
          f"expected {world.member.name}")
    teammate_session: str = initialized["sessionId"]
    teammate.call("project.join", {"projectId": world.project.id})
    joined = editor.notifications.wait_for("presence.joined", lambda params: params.get("sessionId") == teammate_session)
    check(joined.get("projectId") == world.project.id
          and joined.get("user") == {"id": world.member.id, "name": world.member.name},
          f"presence.joined is {show(joined)}, expected {world.member.name} in {world.project.id}")
    ok(f"presence.joined reaches the editor when {world.member.name} joins from the second host")
    return teammate_session


def check_teammate_creates(editor: LspSession, teammate: LineHost, world: World, teammate_session: str,
                           joined_seq: int) -> dict[str, Any]:
    created = teammate.call("task.create", {"projectId": world.project.id, "title": TEAMMATE_TITLE})
    task = created["task"]
    event = editor.notifications.wait_for(
        "task.created", lambda params: params.get("data", {}).get("task", {}).get("id") == task["id"]
    )
    check(event.get("data", {}).get("task") == task,
          f"task.created carries {show(event.get('data'))}, expected the task the second host created {show(task)}")
    check(event.get("seq") == joined_seq + 1 == created.get("seq"),
          f"task.created has seq {event.get('seq')!r}, expected {joined_seq + 1} (the join's seq + 1, "
          f"and the seq task.create returned: {created.get('seq')!r})")
    check(event.get("actor", {}).get("id") == world.member.id
          and event.get("origin", {}).get("sessionId") == teammate_session,
          f"task.created has actor {show(event.get('actor'))} and origin {show(event.get('origin'))}, "
          f"expected {world.member.name} and session {teammate_session}")
    ok(f"task.created from the second host reaches the editor: {task['id']}, seq {event['seq']}, "
       f"actor {world.member.name}")
    return task


def check_stale_update(editor: LspSession, task: dict[str, Any]) -> None:
    stale = task["version"] + 1
    try:
        editor.request("task.update", {"id": task["id"], "expectedVersion": stale, "title": "Too late"})
    except JsonRpcException as error:
        check(error.code == CONFLICT, f"stale task.update answered error {error.code} ({error.message}), "
                                      f"expected {CONFLICT}")
        data = error.data if isinstance(error.data, dict) else {}
        check(data.get("currentVersion") == task["version"] and data.get("current") == task,
              f"the conflict's data is {show(error.data)}, expected currentVersion {task['version']} "
              f"and the task as stored {show(task)}")
    else:
        raise CheckFailed(f"task.update with stale expectedVersion {stale} succeeded, expected error {CONFLICT}")
    unchanged = editor.call("task.get", {"id": task["id"]}).get("task")
    check(unchanged == task, f"after the refused update task.get returned {show(unchanged)}, expected {show(task)}")
    ok(f"stale task.update (expectedVersion {stale}) is error {CONFLICT} with the current task; nothing changed")


def check_shutdown_and_exit(editor: LspSession, teammate: LineHost, world: World, session: str) -> None:
    result = editor.call("shutdown")
    wire = editor.sent_message("shutdown")
    check("params" in wire and wire["params"] is None, f"shutdown went out as {show(wire)}, expected params: null")
    check(result is None, f"shutdown with params null answered {show(result)}, expected null")
    ok('shutdown sent with "params": null answers null')

    editor.endpoint.notify("exit")
    started = time.monotonic()
    code = support.wait_for_exit(editor.process, 5, "the host after the exit notification")
    elapsed = time.monotonic() - started
    check(code == 0, f"the host exited with code {code} after shutdown and exit, expected 0")
    ok(f"exit notification: the host exits with code 0 after {elapsed:.2f} s")

    left = teammate.notification("presence.left", lambda params: params.get("sessionId") == session)
    check(left.get("reason") == "closed" and left.get("user", {}).get("id") == world.owner.id,
          f"presence.left is {show(left)}, expected {world.owner.name} with reason closed")
    ok("the second host sees presence.left with reason closed for the editor's session")


if __name__ == "__main__":
    support.run(main)
