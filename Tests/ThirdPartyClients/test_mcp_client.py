"""`taskwire mcp` driven by the official MCP Python SDK (`mcp` on PyPI), as an AI assistant would drive it.

The SDK's `Client` spawns the host over stdio, negotiates the protocol (it probes for the newest revision first and
falls back to `initialize`), validates every structured tool result against the tool's `outputSchema`, and hands
server notifications to a message handler. A second, plain JSON-RPC host on the same database plays a teammate.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

from mcp import Client, StdioServerParameters
from mcp_types import ResourceUpdatedNotification

from support import LineHost, World, check, make_world, ok, run, scratch_directory, show

warnings.simplefilter("ignore")  # the SDK warns that resources/subscribe is gone in a revision this host does not speak


class Updates:
    """The `notifications/resources/updated` the client received, in order, with a way to wait for one."""

    def __init__(self) -> None:
        self.uris: list[str] = []
        self._arrived = asyncio.Condition()

    async def handle(self, message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            async with self._arrived:
                self.uris.append(str(message.params.uri))
                self._arrived.notify_all()

    async def wait_for(self, uri: str, timeout: float = 10) -> None:
        async def arrived() -> None:
            async with self._arrived:
                await self._arrived.wait_for(lambda: uri in self.uris)

        try:
            await asyncio.wait_for(arrived(), timeout)
        except asyncio.TimeoutError:
            check(False, f"no notifications/resources/updated for {uri} within {timeout:g} s (got {self.uris})")
        self.uris.remove(uri)


async def session(world: World) -> None:
    updates = Updates()
    server = StdioServerParameters(
        command=world.binary,
        args=["mcp", "--db", str(world.database)],
        env={"TASKWIRE_TOKEN": world.owner.token},
    )
    async with Client(server, message_handler=updates.handle, read_timeout_seconds=10) as client:
        check(client.protocol_version == "2025-11-25", f"negotiated {client.protocol_version}, not 2025-11-25")
        check(client.server_info is not None and client.server_info.name == "taskwire", f"{client.server_info}")
        capabilities = client.server_capabilities
        check(capabilities.resources is not None and capabilities.resources.subscribe is True, f"{capabilities}")
        ok(f"initialize through the SDK's negotiation: {client.protocol_version}, resources with subscribe")

        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        expected = {"list_projects", "list_tasks", "get_task", "create_task", "update_task", "set_task_status",
                    "move_task", "assign_task", "delete_task", "add_comment", "list_events"}
        check(set(tools) == expected, f"tools {sorted(tools)}")
        for tool in tools.values():
            check(tool.output_schema is not None and tool.annotations is not None, f"{tool.name} lacks a schema")
        check(tools["list_tasks"].annotations.read_only_hint is True, "list_tasks is not read-only")
        check(tools["delete_task"].annotations.destructive_hint is True, "delete_task is not destructive")
        ok("tools/list: every tool with input and output schemas and annotations")

        projects = await client.call_tool("list_projects", {})
        check(not projects.is_error, f"list_projects failed: {projects.content}")
        check([p["id"] for p in projects.structured_content["projects"]] == [world.project.id], show(projects.structured_content))
        ok("list_projects (its structured result passed the SDK's outputSchema check)")

        created = await client.call_tool(
            "create_task", {"projectId": world.project.id, "title": "Fix the login timeout", "labels": ["auth"]}
        )
        check(not created.is_error, f"create_task failed: {created.content}")
        task = created.structured_content["task"]
        check(task["version"] == 1 and task["title"] == "Fix the login timeout", show(task))
        check(json.loads(created.content[0].text) == created.structured_content, "text content differs from structured")
        ok("create_task: structuredContent and the same JSON as text")

        updated = await client.call_tool("update_task", {"id": task["id"], "expectedVersion": 1, "priority": "high"})
        check(not updated.is_error and updated.structured_content["task"]["version"] == 2, f"{updated}")
        ok("update_task with the current version")

        stale = await client.call_tool("update_task", {"id": task["id"], "expectedVersion": 1, "title": "Stale"})
        check(stale.is_error, f"a stale update succeeded: {stale}")
        conflict = stale.structured_content
        check(conflict["error"]["code"] == -32009, show(conflict))
        check(conflict["currentVersion"] == 2 and conflict["current"]["priority"] == "high", show(conflict))
        retried = await client.call_tool(
            "update_task", {"id": task["id"], "expectedVersion": conflict["currentVersion"], "title": "Fixed title"}
        )
        check(not retried.is_error and retried.structured_content["task"]["version"] == 3, f"{retried}")
        ok("a conflict is a tool error carrying the current task; the retry with its version succeeds")

        board = f"taskwire://projects/{world.project.id}"
        task_uri = f"taskwire://tasks/{task['id']}"
        await client.subscribe_resource(board)
        await client.subscribe_resource(task_uri)
        with LineHost(world, "teammate", token=world.member.token) as teammate:
            teammate.initialize()
            teammate.call("comment.create", {"taskId": task["id"], "body": "I can reproduce it"})
            await updates.wait_for(board)
            await updates.wait_for(task_uri)
            ok("a comment by a teammate on another host: resources/updated for the board and the task")

            read = await client.read_resource(task_uri)
            content = json.loads(read.contents[0].text)
            check([c["body"] for c in content["comments"]] == ["I can reproduce it"], show(content))
            ok("resources/read of the task shows the teammate's comment")

            teammate.call("task.create", {"projectId": world.project.id, "title": "Another task"})
            await updates.wait_for(board)
            read = await client.read_resource(board)
            columns = {column["status"]: column["tasks"] for column in json.loads(read.contents[0].text)["columns"]}
            check(sorted(t["title"] for t in columns["todo"]) == ["Another task", "Fixed title"], show(columns))
            ok("a task created on another host: the board is updated and reads with both tasks")

            await client.unsubscribe_resource(board)
            await client.unsubscribe_resource(task_uri)
            teammate.call("task.create", {"projectId": world.project.id, "title": "Unheard"})
            await asyncio.sleep(0.5)
            check(updates.uris == [], f"updates after unsubscribing: {updates.uris}")
            ok("after resources/unsubscribe, nothing more is told")

            for number in range(130):
                teammate.call("task.create", {"projectId": world.project.id, "title": f"Bulk {number}"})
        uris: list[str] = []
        cursor = None
        pages = 0
        while True:
            page = await client.list_resources(cursor=cursor) if cursor else await client.list_resources()
            pages += 1
            uris += [str(resource.uri) for resource in page.resources]
            cursor = page.next_cursor
            if not cursor:
                break
        check(pages == 2 and len(uris) == len(set(uris)) == 1 + 133, f"{pages} pages, {len(uris)} resources")
        ok("resources/list pages through the board and 133 tasks with nextCursor")


def main() -> None:
    with scratch_directory() as directory:
        world = make_world(directory)
        asyncio.run(session(world))


if __name__ == "__main__":
    run(main)
