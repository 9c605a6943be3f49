// swift-format-ignore-file
// Generated from Protocol/openrpc.json by Scripts/embed-openrpc.sh; do not edit by hand.
// OpenRPCDocumentTests fails when this file and Protocol/openrpc.json differ.
public import TaskwireProtocol

/// The OpenRPC document of `Protocol/openrpc.json`, served by `rpc.discover`.
public enum OpenRPCDocument {
    /// The document text, byte for byte as in `Protocol/openrpc.json`.
    public static let text = ##"""
{
  "openrpc": "1.3.2",
  "info": {
    "title": "Taskwire",
    "version": "1.0.0",
    "description": "Taskwire is a task tracker for teams, served by a host process that speaks JSON-RPC 2.0 over stdio.\n\n**Framing.** The host (`taskwire` or `taskwire serve`) reads JSON-RPC 2.0 messages from stdin and writes to stdout, one UTF-8 JSON text per line (newline-delimited JSON), terminated by `\\n`; `\\r\\n` is accepted on input and a last line without `\\n` still counts. Output never contains a raw newline inside a message, and stdout carries protocol messages only (logs go to stderr). Editor RPC libraries that frame with headers (the LSP base protocol: `Content-Length: N`, optional `Content-Type`, header names in any case, a blank line, then N bytes) are detected from the first bytes of input: the host then reads and writes that framing for the whole session (`--framing auto|lines|headers` overrides; default auto). Every other rule holds in both framings; in header framing a header block without a usable `Content-Length` (or longer than 8192 bytes, or cut short) is -32700 with `id: null`, and a `Content-Length` above the maximum message size is -32600 with its body skipped unread. Invalid JSON or invalid UTF-8 is -32700 (parse error) with `id: null`.\n\n**Message size.** An input line longer than the maximum message size (default 8 MiB = 8388608 bytes, set with `--max-message-bytes`; counted without the line terminator) is answered with -32600 (invalid request) with `id: null` and skipped; the host goes on with the next line. Replies and notifications are not bound by that limit. The limit in force is reported as `capabilities.maxMessageBytes` by `initialize`.\n\n**JSON-RPC.** Requests, notifications (never answered) and batches are supported. A batch answers with an array; an empty batch `[]` is one -32600 error; a batch of only notifications gets no reply. Ids of type string, number or null are echoed exactly as sent (integers digit for digit however large, strings unchanged). A message whose id cannot be read gets -32700 or -32600 with `id: null`. An unknown method is -32601 at any time (method lookup comes before the initialization check). -32603 (internal error) is only for the host's own faults, never for a client's mistake, and never carries internals.\n\n**Params.** Params are by name only: an object, or omitted (the same as `{}`); `params: null` counts as omitted (many editor RPC libraries send it for parameterless calls such as `shutdown`). Params given as an array are -32602 (invalid params); a string, a number or a boolean are -32600 (JSON-RPC requires a structured value). Each method lists its params one by one and accepts no others: an unknown field in params is -32602 with `data: {field, reason: \"unknown field\"}`, so that a typo never passes silently. Other invalid params are -32602 with `data: {field, reason}` where a field is at fault. A field inside an object param is named by its full path from the params, such as `clientInfo.name` (missing) or `clientInfo.extra` (unknown field). No string in params may contain U+0000 (reason `must not contain U+0000`), and ids must not be empty (reason `must not be empty`). Blank lines between messages are ignored.\n\n**Lifecycle.** A session starts with `initialize`. Before a successful `initialize`, every method except `initialize`, `ping`, `shutdown` and `rpc.discover` answers -32002 (not initialized). `shutdown` answers `null` and requests are still answered after it; the `exit` notification or the end of input then ends the process. `exit` is never answered, even when sent with an `id`, and ends the process whatever params come with it. On end of input, `exit`, SIGTERM or SIGINT the host gives in-flight requests up to 1.5 s, leaves all rooms (others see `presence.left` with reason `closed`), flushes and exits within 2 s, with exit code 0 after `shutdown`, on end of input and on a signal, and 1 after `exit` without `shutdown`. Requests may be handled concurrently, but a client sees the effects of its requests on the same entity in the order it sent them.\n\n**Access.** Every read and write checks that the session's user is a member of the organization the data belongs to. Anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. -32003 (forbidden) is only for what the user can see but may not do.\n\n**Relay trust.** Hosts that share a database tell each other of changes through a relay (Redis, or the database itself). The database is the source of truth: an event reaches a client only as the next `seq` of its room, and any gap is filled from the event log. Relay messages are authenticated with HMAC-SHA-256 under a 256-bit key that only the hosts of that database know (stored in the database, never logged, never sent to a client) and checked in full before use; a forged, corrupted, truncated, replayed or foreign message is dropped, never reaches a client and never costs a real event. Whatever path an event takes, what the host writes is one line of JSON that it produced or verified.\n\n**Notifications.** The host sends the notifications listed under `x-notifications`: one per event of each joined project (method = the event's `type`, params = the event), presence changes, `project.revoked`, `project.resync` and `relay.status`. Application error codes: -32001 unauthenticated, -32002 not initialized, -32003 forbidden, -32004 not found, -32009 conflict, -32010 busy (see `components.errors`; the `data` member of an error component is the JSON Schema of the error's `data`)."
  },
  "methods": [
    {
      "name": "initialize",
      "summary": "Start the session: check the protocol version and the token, and learn who you are.",
      "description": "Must be the first successful request of a session. `protocolVersion` must be `\"1\"`; any other value is -32602 with `data: {field: \"protocolVersion\", reason: \"unsupported\", supported: [\"1\"]}`. The token is taken from `token`, else from the environment variable `TASKWIRE_TOKEN` of the host process (the param wins when both are given); a missing, unknown or revoked token is -32001 (unauthenticated). A failed `initialize` may be retried; after a successful one, another `initialize` is -32600 (invalid request). `clientInfo` is optional, but when given it must carry both `name` and `version`, as strings, and no other field; a field inside it is named by its full path: `data: {field: \"clientInfo.name\", reason: \"required\"}` when `name` is missing, `reason: \"must be a string\"` when it is not a string, and `data: {field: \"clientInfo.extra\", reason: \"unknown field\"}` for an unknown field `extra`. Right after the successful response the host sends the `relay.status` notification. Authorization: anyone; this method establishes the user of the session. Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "protocolVersion",
          "description": "The protocol version; must be `\"1\"`.",
          "required": true,
          "schema": {
            "type": "string",
            "enum": [
              "1"
            ],
            "description": "The protocol version the client speaks; only `\"1\"` is supported."
          }
        },
        {
          "name": "clientInfo",
          "description": "The client's name and version.",
          "required": false,
          "schema": {
            "description": "Information about the client, for logs.",
            "type": "object",
            "properties": {
              "name": {
                "type": "string",
                "description": "The client's name."
              },
              "version": {
                "type": "string",
                "description": "The client's version."
              }
            },
            "required": [
              "name",
              "version"
            ],
            "additionalProperties": false
          }
        },
        {
          "name": "token",
          "description": "The access token; when omitted, `TASKWIRE_TOKEN` of the host process is used.",
          "required": false,
          "schema": {
            "type": "string",
            "description": "An access token created with `taskwire admin user add` or `taskwire admin token add`."
          }
        }
      ],
      "result": {
        "name": "InitializeResult",
        "description": "The session's identity and the host's capabilities.",
        "schema": {
          "type": "object",
          "properties": {
            "protocolVersion": {
              "type": "string",
              "const": "1",
              "description": "The protocol version in use."
            },
            "serverInfo": {
              "description": "The host's name and version.",
              "type": "object",
              "properties": {
                "name": {
                  "type": "string",
                  "const": "taskwire"
                },
                "version": {
                  "type": "string",
                  "description": "The host's version."
                }
              },
              "required": [
                "name",
                "version"
              ],
              "additionalProperties": false
            },
            "sessionId": {
              "description": "This session's id, as seen in `origin.sessionId` of events and in presence.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Id"
                }
              ]
            },
            "user": {
              "description": "The user the token belongs to.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/UserRef"
                }
              ]
            },
            "capabilities": {
              "description": "What the host offers.",
              "type": "object",
              "properties": {
                "relay": {
                  "$ref": "#/components/schemas/RelayKind"
                },
                "store": {
                  "type": "string",
                  "enum": [
                    "sqlite",
                    "postgres"
                  ],
                  "description": "Where the database lives: one SQLite file (`--db PATH`), or PostgreSQL (`--db postgres://…`)."
                },
                "batch": {
                  "type": "boolean",
                  "const": true,
                  "description": "Batches are supported."
                },
                "maxMessageBytes": {
                  "type": "integer",
                  "minimum": 1,
                  "description": "The largest accepted input line in bytes, without its line terminator (`--max-message-bytes`, default 8388608)."
                }
              },
              "required": [
                "relay",
                "store",
                "batch",
                "maxMessageBytes"
              ],
              "additionalProperties": false
            }
          },
          "required": [
            "protocolVersion",
            "serverInfo",
            "sessionId",
            "user",
            "capabilities"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/InvalidRequest"
        },
        {
          "$ref": "#/components/errors/Unauthenticated"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "ping",
      "summary": "Check that the host answers.",
      "description": "Answers `{}`. Authorization: anyone, also before `initialize`. Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [],
      "result": {
        "name": "PingResult",
        "description": "An empty object.",
        "schema": {
          "type": "object",
          "additionalProperties": false,
          "maxProperties": 0
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "shutdown",
      "summary": "Prepare the host to end.",
      "description": "Answers `null`. Requests sent after it are still answered normally; the process ends on the `exit` notification or at the end of input, with exit code 0 either way. Authorization: anyone, also before `initialize`. Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [],
      "result": {
        "name": "ShutdownResult",
        "description": "null",
        "schema": {
          "type": "null"
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "exit",
      "summary": "End the host process (notification).",
      "description": "A notification: send it without an `id`. It has no result and is never answered, so no error can be reported for it. Sent with an `id` (as a request), alone or in a batch, it is not answered either and ends the process all the same. It takes no params, but params never stop it: with unknown fields (`{\"bogus\": 1}`) or as an array (`[]`) it ends the process exactly as a valid `exit` does, so that a client that asks to exit is never left with a running host. (A message that is not a valid JSON-RPC request, such as one whose `params` is a string, is not an `exit`: it is answered -32600 like any invalid request.) Messages after the one that carries `exit` are not read. The host gives in-flight requests up to 1.5 s, leaves all rooms (other sessions see `presence.left` with reason `closed`), flushes its output and exits within 2 s, with exit code 0 after `shutdown` and 1 without it. Authorization: anyone, also before `initialize`.",
      "paramStructure": "by-name",
      "params": []
    },
    {
      "name": "rpc.discover",
      "summary": "Get this OpenRPC document.",
      "description": "Answers the OpenRPC document describing the protocol: a JSON value equal to `Protocol/openrpc.json`. Authorization: anyone, also before `initialize`. Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [],
      "result": {
        "name": "OpenrpcDocument",
        "description": "The OpenRPC document.",
        "schema": {
          "type": "object",
          "description": "the OpenRPC document of Protocol/openrpc.json"
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "project.list",
      "summary": "List the projects the user can see.",
      "description": "Answers the projects of every organization the session's user is a member of, each with the user's role in that organization, ordered by name, then by id. Authorization: any initialized session. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [],
      "result": {
        "name": "ProjectListResult",
        "description": "The visible projects.",
        "schema": {
          "type": "object",
          "properties": {
            "projects": {
              "type": "array",
              "items": {
                "$ref": "#/components/schemas/ProjectWithRole"
              }
            }
          },
          "required": [
            "projects"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "project.create",
      "summary": "Create a project in an organization.",
      "description": "Creates a project named `name` in the organization `organizationId`. Authorization: an `owner` or `admin` of the organization; a `member` gets -32003 (forbidden). The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Limits: `name` 1 to 200 characters, not only white space. Limit violations are -32602 with `data: {field, reason}`; nothing is stored. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "organizationId",
          "description": "The organization to create the project in.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "name",
          "description": "The project's name: 1 to 200 characters, not only white space.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Name"
          }
        }
      ],
      "result": {
        "name": "ProjectCreateResult",
        "description": "The created project.",
        "schema": {
          "type": "object",
          "properties": {
            "project": {
              "$ref": "#/components/schemas/Project"
            }
          },
          "required": [
            "project"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/Forbidden"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "member.add",
      "summary": "Add a user to an organization, or change a member's role.",
      "description": "Makes `userId` a member of `organizationId` with `role`; for an existing member, changes their role. Authorization: an `owner` or `admin` of the organization (a `member` gets -32003); only an `owner` may grant `owner` or change the role of an `owner` (-32003 otherwise). Demoting the last owner is -32602 with `reason: \"last owner\"`. An unknown `userId` is -32004. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "organizationId",
          "description": "The organization.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "userId",
          "description": "The user to add, or whose role to change.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "role",
          "description": "The role to give.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Role"
          }
        }
      ],
      "result": {
        "name": "MemberAddResult",
        "description": "An empty object.",
        "schema": {
          "type": "object",
          "additionalProperties": false,
          "maxProperties": 0
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/Forbidden"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "member.remove",
      "summary": "Remove a user from an organization.",
      "description": "Removes the membership of `userId` in `organizationId`. Authorization: an `owner` or `admin` of the organization (a `member` gets -32003); only an `owner` may remove an `owner` (-32003 otherwise). Removing the last owner is -32602 with `reason: \"last owner\"`. A `userId` that is not a member is -32004. Each session of the removed user that is in a room of the organization's projects receives `project.revoked` and gets nothing more from that room (neither events nor presence); the other sessions there see `presence.left` with reason `revoked`. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "organizationId",
          "description": "The organization.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "userId",
          "description": "The member to remove.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        }
      ],
      "result": {
        "name": "MemberRemoveResult",
        "description": "An empty object.",
        "schema": {
          "type": "object",
          "additionalProperties": false,
          "maxProperties": 0
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/Forbidden"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "project.join",
      "summary": "Join a project's room: receive its events and presence live.",
      "description": "Enters the room of `projectId` and answers the project's current last `seq` (0 when it has no events yet) and the sessions present in the room across all host processes, this session included. The other sessions in the room receive `presence.joined`. Without `since`, live delivery starts with the event after `seq`. With `since: N`, the host first replays events `N+1` to `seq` as notifications — after the join response, and after the whole batch reply when the join is inside a batch — then continues live, with no gap and no duplicate; `since` above the current `seq` is -32602 with `field: \"since\"`. Joining a room the session is already in is -32602 with `reason: \"already joined\"`. After `project.resync` the session is out of the room and may join again with `since: lastSeq`. Delivery guarantee: after the join, the session receives every event of the project as a notification (method = the event's `type`, params = the event), in `seq` order, with no gap and no duplicate, including the events caused by its own requests (recognizable by `origin.sessionId`), until it leaves, is revoked or is taken out of the room. This holds when events are committed by other host processes, concurrently with the join, and across a restart or outage of Redis. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "projectId",
          "description": "The project whose room to join.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "since",
          "description": "Replay the events after this `seq` before continuing live; at most the project's current `seq`.",
          "required": false,
          "schema": {
            "type": "integer",
            "minimum": 0
          }
        }
      ],
      "result": {
        "name": "ProjectJoinResult",
        "description": "The room's state at the join.",
        "schema": {
          "type": "object",
          "properties": {
            "projectId": {
              "$ref": "#/components/schemas/Id"
            },
            "seq": {
              "type": "integer",
              "minimum": 0,
              "description": "The project's current last event `seq` (0 if none)."
            },
            "presence": {
              "type": "array",
              "items": {
                "$ref": "#/components/schemas/PresenceEntry"
              },
              "description": "The sessions in the room across all host processes, this one included."
            }
          },
          "required": [
            "projectId",
            "seq",
            "presence"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "project.leave",
      "summary": "Leave a project's room.",
      "description": "Leaves the room of `projectId`: no more events or presence from it. The other sessions in the room receive `presence.left` with reason `left`. Leaving a room the session is not in is -32602 with `reason: \"not joined\"`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "projectId",
          "description": "The project whose room to leave.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        }
      ],
      "result": {
        "name": "ProjectLeaveResult",
        "description": "An empty object.",
        "schema": {
          "type": "object",
          "additionalProperties": false,
          "maxProperties": 0
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "task.create",
      "summary": "Create a task in a project.",
      "description": "Creates a task with `version` 1; omitted fields take their defaults (`description` \"\", `status` `todo`, `priority` `medium`, `assigneeId` null, `dueDate` null, `labels` []). Records a `task.created` event. The change and its event are committed in one transaction: the event is appended to the project's event log (see `events.list`) and delivered as a notification to every session that has joined the project, including this session when it has joined (it recognizes its own events by `origin.sessionId`). That notification may arrive before or after the response; `seq` in the result is the event's `seq`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Limits: `title` 1 to 500 characters (Unicode scalar values), not only white space; `description` up to 65536 bytes of UTF-8 (may be empty); `labels` up to 32, each 1 to 64 characters; `dueDate` a real calendar date `YYYY-MM-DD` or null; `assigneeId` a member of the project's organization or null (otherwise -32602 with `field: \"assigneeId\"`). Limit violations are -32602 with `data: {field, reason}`; nothing is stored. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "projectId",
          "description": "The project to create the task in.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "title",
          "description": "Task title: 1 to 500 characters (counted as Unicode scalar values), not only white space.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Title"
          }
        },
        {
          "name": "description",
          "description": "Task description: up to 65536 bytes (64 KiB) of UTF-8; may be empty. The byte limit is what the host enforces; `maxLength` here is only the character bound it implies. Default \"\".",
          "required": false,
          "schema": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Description"
              }
            ],
            "default": ""
          }
        },
        {
          "name": "status",
          "description": "The initial status; default `todo`.",
          "required": false,
          "schema": {
            "allOf": [
              {
                "$ref": "#/components/schemas/TaskStatus"
              }
            ],
            "default": "todo"
          }
        },
        {
          "name": "priority",
          "description": "The priority; default `medium`.",
          "required": false,
          "schema": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Priority"
              }
            ],
            "default": "medium"
          }
        },
        {
          "name": "assigneeId",
          "description": "The assignee: a user who is a member of the project's organization (otherwise -32602 with `field: \"assigneeId\"`), or null for none. Default null.",
          "required": false,
          "schema": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/Id"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        {
          "name": "dueDate",
          "description": "A real calendar date `YYYY-MM-DD` (e.g. `2026-12-31`), or null for none. Default null.",
          "required": false,
          "schema": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/DueDate"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        {
          "name": "labels",
          "description": "Labels: up to 32 strings of 1 to 64 characters each. Default [].",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Labels"
          }
        }
      ],
      "result": {
        "name": "TaskCreateResult",
        "description": "The created task and the event's seq.",
        "schema": {
          "type": "object",
          "properties": {
            "task": {
              "description": "The task as stored after the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Task"
                }
              ]
            },
            "seq": {
              "description": "The `seq` of the event recording the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Seq"
                }
              ]
            }
          },
          "required": [
            "task",
            "seq"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "task.get",
      "summary": "Get a task.",
      "description": "Answers the task `id`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "id",
          "description": "The task's id.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        }
      ],
      "result": {
        "name": "TaskGetResult",
        "description": "The task.",
        "schema": {
          "type": "object",
          "properties": {
            "task": {
              "$ref": "#/components/schemas/Task"
            }
          },
          "required": [
            "task"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "task.list",
      "summary": "List a project's tasks, a page at a time.",
      "description": "Answers the tasks of `projectId` that match the filters, oldest first (by `createdAt`, ties by `id`) or, with `order: \"board\"`, as a board: the columns in workflow order (`todo`, `in_progress`, `in_review`, `done`), each by `rank` then `id`, at most `limit` (1 to 500, default 100) per page. `nextCursor` is null on the last page; otherwise pass it as `cursor` with the same other params to get the next page. Paging stays correct while tasks are added and deleted between pages: no task that exists throughout is skipped or repeated. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "projectId",
          "description": "The project.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "status",
          "description": "Only tasks with this status.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/TaskStatus"
          }
        },
        {
          "name": "assigneeId",
          "description": "Only tasks assigned to this user; `null` means only the unassigned tasks. Omit for all.",
          "required": false,
          "schema": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/Id"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        {
          "name": "order",
          "description": "`created` (default): oldest first. `board`: columns in workflow order, then by rank: the order a client that applies every event in `seq` order shows.",
          "required": false,
          "schema": {
            "type": "string",
            "enum": [
              "created",
              "board"
            ],
            "default": "created"
          }
        },
        {
          "name": "limit",
          "description": "Page size, 1 to 500; default 100.",
          "required": false,
          "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": 500,
            "default": 100
          }
        },
        {
          "name": "cursor",
          "description": "The `nextCursor` of the previous page.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Cursor"
          }
        }
      ],
      "result": {
        "name": "TaskListResult",
        "description": "One page of tasks.",
        "schema": {
          "type": "object",
          "properties": {
            "tasks": {
              "type": "array",
              "items": {
                "$ref": "#/components/schemas/Task"
              }
            },
            "nextCursor": {
              "description": "The cursor of the next page, or null when there is none.",
              "oneOf": [
                {
                  "$ref": "#/components/schemas/Cursor"
                },
                {
                  "type": "null"
                }
              ]
            }
          },
          "required": [
            "tasks",
            "nextCursor"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "task.search",
      "summary": "Search the tasks of the user's projects by words of their title, description, labels and comments.",
      "description": "Answers the tasks that match `query`, best first (by `score`, ties by `id`), at most `limit` (1 to 100, default 20) per page, from every project of every organization the user is a member of, or from `projectId` only. A task in an organization the user is not a member of is never found, not even counted. Query syntax: words, all of which must match (`login timeout`); a word ending in `*` matches every word that starts with it (`time*`); words in double quotes match one after the other (`\"login timeout\"`). Matching ignores case; any character that is not a letter or a digit separates words. A query longer than 500 characters, with no word in it, with more than 8 terms (words, prefixes and phrases), or with a prefix of fewer than 2 letters (`a*`) is -32602 with `field: \"query\"`. The title, description, labels and comment bodies (the first 131072 characters of a task's comments, oldest first) are searched; a match in the title ranks above one in the labels, then the description, then the comments. A task is found from the moment its change is committed: a client that receives `task.created` (or `comment.created`) can find it at once. `nextCursor` is null on the last page; otherwise pass it as `cursor` with the same other params to get the next page (pages follow the ranking at the time of each call). `projectId` of a project that does not exist, or of another organization, is -32004 as in `task.list`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "query",
          "description": "What to look for: words, `prefix*` and `\"a phrase\"`; at most 500 characters.",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": 500
          }
        },
        {
          "name": "projectId",
          "description": "Only tasks of this project; omit to search every project the user can see.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "status",
          "description": "Only tasks with this status.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/TaskStatus"
          }
        },
        {
          "name": "limit",
          "description": "Page size, 1 to 100; default 20.",
          "required": false,
          "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "default": 20
          }
        },
        {
          "name": "cursor",
          "description": "The `nextCursor` of the previous page.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Cursor"
          }
        }
      ],
      "result": {
        "name": "TaskSearchResult",
        "description": "One page of matching tasks, best first.",
        "schema": {
          "type": "object",
          "properties": {
            "results": {
              "type": "array",
              "items": {
                "$ref": "#/components/schemas/SearchResult"
              }
            },
            "nextCursor": {
              "description": "The cursor of the next page, or null when there is none.",
              "oneOf": [
                {
                  "$ref": "#/components/schemas/Cursor"
                },
                {
                  "type": "null"
                }
              ]
            }
          },
          "required": [
            "results",
            "nextCursor"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "task.update",
      "summary": "Change a task's fields (not its status).",
      "description": "Sets the given fields of task `id` and increases its `version` by 1 (setting a field to its current value is still a change). At least one field to change must be given, else -32602. `status` is not accepted here (it is an unknown field, -32602): use `task.setStatus`. Records a `task.updated` event. `expectedVersion` must equal the stored `version`; otherwise the answer is -32009 (conflict) with `data: {currentVersion, current}` (`current` being the entity as stored now) and nothing is changed. The change and its event are committed in one transaction: the event is appended to the project's event log (see `events.list`) and delivered as a notification to every session that has joined the project, including this session when it has joined (it recognizes its own events by `origin.sessionId`). That notification may arrive before or after the response; `seq` in the result is the event's `seq`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Limits: `title` 1 to 500 characters (Unicode scalar values), not only white space; `description` up to 65536 bytes of UTF-8 (may be empty); `labels` up to 32, each 1 to 64 characters; `dueDate` a real calendar date `YYYY-MM-DD` or null; `assigneeId` a member of the project's organization or null (otherwise -32602 with `field: \"assigneeId\"`). Limit violations are -32602 with `data: {field, reason}`; nothing is stored. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "id",
          "description": "The task's id.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "expectedVersion",
          "description": "The `version` the client last saw.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Version"
          }
        },
        {
          "name": "title",
          "description": "Task title: 1 to 500 characters (counted as Unicode scalar values), not only white space.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Title"
          }
        },
        {
          "name": "description",
          "description": "Task description: up to 65536 bytes (64 KiB) of UTF-8; may be empty. The byte limit is what the host enforces; `maxLength` here is only the character bound it implies.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Description"
          }
        },
        {
          "name": "priority",
          "description": "The new priority.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Priority"
          }
        },
        {
          "name": "assigneeId",
          "description": "The assignee: a user who is a member of the project's organization (otherwise -32602 with `field: \"assigneeId\"`), or null for none.",
          "required": false,
          "schema": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/Id"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        {
          "name": "dueDate",
          "description": "A real calendar date `YYYY-MM-DD` (e.g. `2026-12-31`), or null for none.",
          "required": false,
          "schema": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/DueDate"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        {
          "name": "labels",
          "description": "Labels: up to 32 strings of 1 to 64 characters each. Replaces the whole list.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Labels"
          }
        }
      ],
      "result": {
        "name": "TaskUpdateResult",
        "description": "The updated task and the event's seq.",
        "schema": {
          "type": "object",
          "properties": {
            "task": {
              "description": "The task as stored after the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Task"
                }
              ]
            },
            "seq": {
              "description": "The `seq` of the event recording the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Seq"
                }
              ]
            }
          },
          "required": [
            "task",
            "seq"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Conflict"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "task.setStatus",
      "summary": "Change a task's status.",
      "description": "Sets the status of task `id` and increases its `version` by 1. A new status puts the task at the bottom of that column (a new `rank`); the same status keeps its place. Records a `task.statusChanged` event with `data: {task, from, to}`. `expectedVersion` must equal the stored `version`; otherwise the answer is -32009 (conflict) with `data: {currentVersion, current}` (`current` being the entity as stored now) and nothing is changed. The change and its event are committed in one transaction: the event is appended to the project's event log (see `events.list`) and delivered as a notification to every session that has joined the project, including this session when it has joined (it recognizes its own events by `origin.sessionId`). That notification may arrive before or after the response; `seq` in the result is the event's `seq`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "id",
          "description": "The task's id.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "expectedVersion",
          "description": "The `version` the client last saw.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Version"
          }
        },
        {
          "name": "status",
          "description": "The new status.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/TaskStatus"
          }
        }
      ],
      "result": {
        "name": "TaskSetStatusResult",
        "description": "The updated task and the event's seq.",
        "schema": {
          "type": "object",
          "properties": {
            "task": {
              "description": "The task as stored after the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Task"
                }
              ]
            },
            "seq": {
              "description": "The `seq` of the event recording the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Seq"
                }
              ]
            }
          },
          "required": [
            "task",
            "seq"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Conflict"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "task.move",
      "summary": "Move a task within its column or to another column.",
      "description": "Places task `id` in column `status` (default: its own) right after `afterId`, right before `beforeId`, between them (both given: they must be next to each other in that column, not counting the task itself), or at the bottom of the column when neither is given; increases its `version` by 1 and gives it a new `rank` (a move to where it already is keeps its rank). Records a `task.moved` event with `data: {task, from: {status, rank}, to: {status, rank}}`; when the gap has no short rank left, a stretch of the column is respaced first, recorded as a `task.reranked` event with the `seq` just before. A neighbour that is not a task of this project, not in that column, or the task itself is -32602 (field `afterId` or `beforeId`); so are `afterId` and `beforeId` that are not next to each other. A status change through `task.move` is a move (`task.moved`), not `task.statusChanged`. Two clients moving cards at once converge: every client that applies the events in `seq` order shows the same order as `task.list` with `order: \"board\"`. `expectedVersion` must equal the stored `version`; otherwise the answer is -32009 (conflict) with `data: {currentVersion, current}` (`current` being the entity as stored now) and nothing is changed. The change and its event are committed in one transaction: the event is appended to the project's event log (see `events.list`) and delivered as a notification to every session that has joined the project, including this session when it has joined (it recognizes its own events by `origin.sessionId`). That notification may arrive before or after the response; `seq` in the result is the event's `seq`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "id",
          "description": "The task's id.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "expectedVersion",
          "description": "The `version` the client last saw.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Version"
          }
        },
        {
          "name": "status",
          "description": "The column to move to; default: the task's own.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/TaskStatus"
          }
        },
        {
          "name": "afterId",
          "description": "Place the task right after this task of the column. `null` is the same as leaving it out.",
          "required": false,
          "schema": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/Id"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        {
          "name": "beforeId",
          "description": "Place the task right before this task of the column (the first task's id: the top). `null` is the same as leaving it out.",
          "required": false,
          "schema": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/Id"
              },
              {
                "type": "null"
              }
            ]
          }
        }
      ],
      "result": {
        "name": "TaskMoveResult",
        "description": "The moved task and the seq of its `task.moved` event.",
        "schema": {
          "type": "object",
          "properties": {
            "task": {
              "description": "The task as stored after the move.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Task"
                }
              ]
            },
            "seq": {
              "description": "The `seq` of the `task.moved` event.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Seq"
                }
              ]
            }
          },
          "required": [
            "task",
            "seq"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Conflict"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "task.delete",
      "summary": "Delete a task and its comments.",
      "description": "Deletes task `id` together with its comments. Records one `task.deleted` event (`data: {taskId}`), which stands for the comments too: no `comment.deleted` events are recorded for them. `expectedVersion` must equal the stored `version`; otherwise the answer is -32009 (conflict) with `data: {currentVersion, current}` (`current` being the entity as stored now) and nothing is changed. The change and its event are committed in one transaction: the event is appended to the project's event log (see `events.list`) and delivered as a notification to every session that has joined the project, including this session when it has joined (it recognizes its own events by `origin.sessionId`). That notification may arrive before or after the response; `seq` in the result is the event's `seq`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "id",
          "description": "The task's id.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "expectedVersion",
          "description": "The `version` the client last saw.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Version"
          }
        }
      ],
      "result": {
        "name": "TaskDeleteResult",
        "description": "The deleted task's id and the event's seq.",
        "schema": {
          "type": "object",
          "properties": {
            "id": {
              "description": "The deleted task's id.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Id"
                }
              ]
            },
            "seq": {
              "description": "The `seq` of the `task.deleted` event.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Seq"
                }
              ]
            }
          },
          "required": [
            "id",
            "seq"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Conflict"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "comment.create",
      "summary": "Comment on a task.",
      "description": "Adds a comment by the session's user to task `taskId`, with `version` 1. Records a `comment.created` event. The change and its event are committed in one transaction: the event is appended to the project's event log (see `events.list`) and delivered as a notification to every session that has joined the project, including this session when it has joined (it recognizes its own events by `origin.sessionId`). That notification may arrive before or after the response; `seq` in the result is the event's `seq`. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Limits: `body` 1 to 65536 bytes of UTF-8, not only white space. Limit violations are -32602 with `data: {field, reason}`; nothing is stored. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "taskId",
          "description": "The task to comment on.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "body",
          "description": "Comment body: 1 byte to 65536 bytes (64 KiB) of UTF-8, not only white space. The byte limit is what the host enforces; `maxLength` here is only the character bound it implies.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/CommentBody"
          }
        }
      ],
      "result": {
        "name": "CommentCreateResult",
        "description": "The created comment and the event's seq.",
        "schema": {
          "type": "object",
          "properties": {
            "comment": {
              "description": "The comment as stored after the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Comment"
                }
              ]
            },
            "seq": {
              "description": "The `seq` of the event recording the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Seq"
                }
              ]
            }
          },
          "required": [
            "comment",
            "seq"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "comment.list",
      "summary": "List a task's comments, a page at a time.",
      "description": "Answers the comments of task `taskId`, oldest first (by `createdAt`, ties by `id`), at most `limit` (1 to 500, default 100) per page. `nextCursor` is null on the last page; otherwise pass it as `cursor` with the same `taskId` to get the next page. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "taskId",
          "description": "The task.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "limit",
          "description": "Page size, 1 to 500; default 100.",
          "required": false,
          "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": 500,
            "default": 100
          }
        },
        {
          "name": "cursor",
          "description": "The `nextCursor` of the previous page.",
          "required": false,
          "schema": {
            "$ref": "#/components/schemas/Cursor"
          }
        }
      ],
      "result": {
        "name": "CommentListResult",
        "description": "One page of comments.",
        "schema": {
          "type": "object",
          "properties": {
            "comments": {
              "type": "array",
              "items": {
                "$ref": "#/components/schemas/Comment"
              }
            },
            "nextCursor": {
              "description": "The cursor of the next page, or null when there is none.",
              "oneOf": [
                {
                  "$ref": "#/components/schemas/Cursor"
                },
                {
                  "type": "null"
                }
              ]
            }
          },
          "required": [
            "comments",
            "nextCursor"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "comment.update",
      "summary": "Change a comment's body.",
      "description": "Replaces the body of comment `id` and increases its `version` by 1. Records a `comment.updated` event. `expectedVersion` must equal the stored `version`; otherwise the answer is -32009 (conflict) with `data: {currentVersion, current}` (`current` being the entity as stored now) and nothing is changed. The change and its event are committed in one transaction: the event is appended to the project's event log (see `events.list`) and delivered as a notification to every session that has joined the project, including this session when it has joined (it recognizes its own events by `origin.sessionId`). That notification may arrive before or after the response; `seq` in the result is the event's `seq`. Authorization: only the comment's author; any other member of the organization gets -32003 (forbidden). The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Limits: `body` 1 to 65536 bytes of UTF-8, not only white space. Limit violations are -32602 with `data: {field, reason}`; nothing is stored. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "id",
          "description": "The comment's id.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "expectedVersion",
          "description": "The `version` the client last saw.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Version"
          }
        },
        {
          "name": "body",
          "description": "Comment body: 1 byte to 65536 bytes (64 KiB) of UTF-8, not only white space. The byte limit is what the host enforces; `maxLength` here is only the character bound it implies.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/CommentBody"
          }
        }
      ],
      "result": {
        "name": "CommentUpdateResult",
        "description": "The updated comment and the event's seq.",
        "schema": {
          "type": "object",
          "properties": {
            "comment": {
              "description": "The comment as stored after the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Comment"
                }
              ]
            },
            "seq": {
              "description": "The `seq` of the event recording the change.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Seq"
                }
              ]
            }
          },
          "required": [
            "comment",
            "seq"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/Forbidden"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Conflict"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "comment.delete",
      "summary": "Delete a comment.",
      "description": "Deletes comment `id`. Records a `comment.deleted` event (`data: {commentId, taskId}`). The change and its event are committed in one transaction: the event is appended to the project's event log (see `events.list`) and delivered as a notification to every session that has joined the project, including this session when it has joined (it recognizes its own events by `origin.sessionId`). That notification may arrive before or after the response; `seq` in the result is the event's `seq`. Authorization: the comment's author, or an `owner` or `admin` of the organization; any other member gets -32003 (forbidden). The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. If storage stays busy past its timeout the answer is -32010 (busy, retryable) and nothing is half-written. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "id",
          "description": "The comment's id.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        }
      ],
      "result": {
        "name": "CommentDeleteResult",
        "description": "The deleted comment's id and the event's seq.",
        "schema": {
          "type": "object",
          "properties": {
            "id": {
              "description": "The deleted comment's id.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Id"
                }
              ]
            },
            "seq": {
              "description": "The `seq` of the `comment.deleted` event.",
              "allOf": [
                {
                  "$ref": "#/components/schemas/Seq"
                }
              ]
            }
          },
          "required": [
            "id",
            "seq"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/Forbidden"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/Busy"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    },
    {
      "name": "events.list",
      "summary": "Read a project's event log (the audit trail).",
      "description": "Answers the events of `projectId` with `seq` greater than `after`, in `seq` order, at most `limit` (1 to 1000, default 100); `after` defaults to 0. `nextAfter` is the `seq` of the last event returned, or `after` when none is; pass it as `after` to read on. The log is never rewritten. Authorization: any member of the project's organization. The session's user must be a member of the organization the data belongs to; anything in an organization the user is not a member of answers -32004 (not found), exactly as if it did not exist. Before a successful `initialize` it answers -32002 (not initialized). Any other field in params is -32602 with `data: {field, reason: \"unknown field\"}`.",
      "paramStructure": "by-name",
      "params": [
        {
          "name": "projectId",
          "description": "The project.",
          "required": true,
          "schema": {
            "$ref": "#/components/schemas/Id"
          }
        },
        {
          "name": "after",
          "description": "Return the events with `seq` greater than this; default 0 (from the start).",
          "required": false,
          "schema": {
            "type": "integer",
            "minimum": 0,
            "default": 0
          }
        },
        {
          "name": "limit",
          "description": "At most this many events, 1 to 1000; default 100.",
          "required": false,
          "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": 1000,
            "default": 100
          }
        }
      ],
      "result": {
        "name": "EventsListResult",
        "description": "A page of events.",
        "schema": {
          "type": "object",
          "properties": {
            "events": {
              "type": "array",
              "items": {
                "$ref": "#/components/schemas/Event"
              }
            },
            "nextAfter": {
              "type": "integer",
              "minimum": 0,
              "description": "The `seq` of the last event returned, or `after` when none is."
            }
          },
          "required": [
            "events",
            "nextAfter"
          ],
          "additionalProperties": false
        }
      },
      "errors": [
        {
          "$ref": "#/components/errors/NotInitialized"
        },
        {
          "$ref": "#/components/errors/InvalidParams"
        },
        {
          "$ref": "#/components/errors/NotFound"
        },
        {
          "$ref": "#/components/errors/InternalError"
        }
      ]
    }
  ],
  "components": {
    "schemas": {
      "Id": {
        "title": "Id",
        "description": "An opaque identifier. Clients must not parse it or assume any structure; compare it as a string. Never empty; never contains U+0000.",
        "type": "string",
        "minLength": 1
      },
      "Time": {
        "title": "Time",
        "description": "A point in time: RFC 3339, UTC, with milliseconds, e.g. `2026-11-26T15:09:34.123Z`.",
        "type": "string",
        "format": "date-time",
        "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$",
        "examples": [
          "2026-11-26T15:09:34.123Z"
        ]
      },
      "Cursor": {
        "title": "Cursor",
        "description": "An opaque pagination cursor, returned as `nextCursor` and passed back unchanged as `cursor` to get the next page. Clients must not build or modify it. An invalid cursor is -32602 with `field: \"cursor\"`.",
        "type": "string",
        "minLength": 1
      },
      "Name": {
        "title": "Name",
        "description": "An organization or project name: 1 to 200 characters, not only white space, without control characters (U+0000 to U+001F, U+007F to U+009F): -32602 with `reason: \"must not contain control characters\"`.",
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "\\S"
      },
      "Role": {
        "title": "Role",
        "description": "A member's role in an organization. `owner` and `admin` may manage projects and members; only an `owner` may grant or remove `owner`.",
        "type": "string",
        "enum": [
          "owner",
          "admin",
          "member"
        ]
      },
      "TaskStatus": {
        "title": "TaskStatus",
        "description": "A task's status. New tasks default to `todo`.",
        "type": "string",
        "enum": [
          "todo",
          "in_progress",
          "in_review",
          "done"
        ]
      },
      "Priority": {
        "title": "Priority",
        "description": "A task's priority. New tasks default to `medium`.",
        "type": "string",
        "enum": [
          "low",
          "medium",
          "high",
          "urgent"
        ]
      },
      "Title": {
        "title": "Title",
        "description": "Task title: 1 to 500 characters (counted as Unicode scalar values), not only white space.",
        "type": "string",
        "minLength": 1,
        "maxLength": 500,
        "pattern": "\\S"
      },
      "Description": {
        "title": "Description",
        "description": "Task description: up to 65536 bytes (64 KiB) of UTF-8; may be empty. The byte limit is what the host enforces; `maxLength` here is only the character bound it implies.",
        "type": "string",
        "maxLength": 65536
      },
      "CommentBody": {
        "title": "CommentBody",
        "description": "Comment body: 1 byte to 65536 bytes (64 KiB) of UTF-8, not only white space. The byte limit is what the host enforces; `maxLength` here is only the character bound it implies.",
        "type": "string",
        "minLength": 1,
        "maxLength": 65536,
        "pattern": "\\S"
      },
      "Label": {
        "title": "Label",
        "description": "One label: 1 to 64 characters.",
        "type": "string",
        "minLength": 1,
        "maxLength": 64
      },
      "Labels": {
        "title": "Labels",
        "description": "Labels: up to 32 strings of 1 to 64 characters each.",
        "type": "array",
        "maxItems": 32,
        "items": {
          "$ref": "#/components/schemas/Label"
        }
      },
      "DueDate": {
        "title": "DueDate",
        "description": "A real calendar date `YYYY-MM-DD` (e.g. `2026-12-31`; `2026-02-30` is rejected).",
        "type": "string",
        "format": "date",
        "pattern": "^\\d{4}-\\d{2}-\\d{2}$"
      },
      "Version": {
        "title": "Version",
        "description": "An entity's version: 1 when created, increased by exactly 1 on every successful change (an update that sets a field to its current value is still a change).",
        "type": "integer",
        "minimum": 1
      },
      "Rank": {
        "title": "Rank",
        "description": "A task's place in its column: tasks of one project and status are ordered by `rank`, then `id`, both compared byte by byte (as UTF-8; ASCII order). Opaque: clients order by it and never compute it; the host picks ranks (fractional indexing over the digits `0-9A-Za-z`) so that a rank between any two neighbours exists without renumbering the others. Ranks stay at most 12 characters: when a gap runs out, a move first respaces a stretch of the column (`task.reranked`).",
        "type": "string",
        "minLength": 1,
        "maxLength": 32,
        "pattern": "^[0-9A-Za-z]+$"
      },
      "Seq": {
        "title": "Seq",
        "description": "The sequence number of an event in its project's event log: per project, starting at 1, without gaps.",
        "type": "integer",
        "minimum": 1
      },
      "User": {
        "title": "User",
        "description": "A user.",
        "type": "object",
        "properties": {
          "id": {
            "$ref": "#/components/schemas/Id"
          },
          "name": {
            "type": "string",
            "description": "The user's unique name."
          },
          "email": {
            "type": "string",
            "description": "The user's e-mail address, when known."
          }
        },
        "required": [
          "id",
          "name"
        ],
        "additionalProperties": false
      },
      "UserRef": {
        "title": "UserRef",
        "description": "A reference to a user: id and name.",
        "type": "object",
        "properties": {
          "id": {
            "$ref": "#/components/schemas/Id"
          },
          "name": {
            "type": "string",
            "description": "The user's name."
          }
        },
        "required": [
          "id",
          "name"
        ],
        "additionalProperties": false
      },
      "Project": {
        "title": "Project",
        "description": "A project of an organization.",
        "type": "object",
        "properties": {
          "id": {
            "$ref": "#/components/schemas/Id"
          },
          "organizationId": {
            "$ref": "#/components/schemas/Id"
          },
          "name": {
            "$ref": "#/components/schemas/Name"
          }
        },
        "required": [
          "id",
          "organizationId",
          "name"
        ],
        "additionalProperties": false
      },
      "ProjectWithRole": {
        "title": "ProjectWithRole",
        "description": "A project together with the session user's role in its organization.",
        "type": "object",
        "properties": {
          "id": {
            "$ref": "#/components/schemas/Id"
          },
          "organizationId": {
            "$ref": "#/components/schemas/Id"
          },
          "name": {
            "$ref": "#/components/schemas/Name"
          },
          "role": {
            "description": "The session user's role in the project's organization.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Role"
              }
            ]
          }
        },
        "required": [
          "id",
          "organizationId",
          "name",
          "role"
        ],
        "additionalProperties": false
      },
      "Task": {
        "title": "Task",
        "description": "A task. Every member is always present.",
        "type": "object",
        "properties": {
          "id": {
            "$ref": "#/components/schemas/Id"
          },
          "projectId": {
            "$ref": "#/components/schemas/Id"
          },
          "title": {
            "$ref": "#/components/schemas/Title"
          },
          "description": {
            "$ref": "#/components/schemas/Description"
          },
          "status": {
            "$ref": "#/components/schemas/TaskStatus"
          },
          "priority": {
            "$ref": "#/components/schemas/Priority"
          },
          "assigneeId": {
            "description": "The assignee (a member of the project's organization), or null.",
            "oneOf": [
              {
                "$ref": "#/components/schemas/Id"
              },
              {
                "type": "null"
              }
            ]
          },
          "dueDate": {
            "description": "The due date `YYYY-MM-DD`, or null.",
            "oneOf": [
              {
                "$ref": "#/components/schemas/DueDate"
              },
              {
                "type": "null"
              }
            ]
          },
          "labels": {
            "$ref": "#/components/schemas/Labels"
          },
          "rank": {
            "description": "The task's place in its column (see Rank). New tasks go to the bottom of their column; `task.setStatus` to a new status puts the task at the bottom of that column; `task.move` places it anywhere.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Rank"
              }
            ]
          },
          "version": {
            "$ref": "#/components/schemas/Version"
          },
          "createdBy": {
            "description": "The id of the user who created the task.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ]
          },
          "createdAt": {
            "$ref": "#/components/schemas/Time"
          },
          "updatedAt": {
            "$ref": "#/components/schemas/Time"
          }
        },
        "required": [
          "id",
          "projectId",
          "title",
          "description",
          "status",
          "priority",
          "assigneeId",
          "dueDate",
          "labels",
          "rank",
          "version",
          "createdBy",
          "createdAt",
          "updatedAt"
        ],
        "additionalProperties": false
      },
      "SearchResult": {
        "title": "SearchResult",
        "description": "A task that matches a search.",
        "type": "object",
        "properties": {
          "task": {
            "$ref": "#/components/schemas/Task"
          },
          "score": {
            "type": "number",
            "description": "How well the task matches; higher is better. Comparable only between the results of one search (each store computes it its own way)."
          },
          "snippet": {
            "type": "string",
            "description": "A short plain-text excerpt (up to 12 words and 160 characters, `…` where the text was cut) of the first of the title, description, labels and comments that matches, with each matching word wrapped in `**` (Markdown bold); the beginning of the title when no word of the task itself matches."
          }
        },
        "required": [
          "task",
          "score",
          "snippet"
        ],
        "additionalProperties": false
      },
      "Comment": {
        "title": "Comment",
        "description": "A comment on a task.",
        "type": "object",
        "properties": {
          "id": {
            "$ref": "#/components/schemas/Id"
          },
          "taskId": {
            "$ref": "#/components/schemas/Id"
          },
          "projectId": {
            "$ref": "#/components/schemas/Id"
          },
          "authorId": {
            "description": "The id of the user who wrote the comment.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ]
          },
          "body": {
            "$ref": "#/components/schemas/CommentBody"
          },
          "version": {
            "$ref": "#/components/schemas/Version"
          },
          "createdAt": {
            "$ref": "#/components/schemas/Time"
          },
          "updatedAt": {
            "$ref": "#/components/schemas/Time"
          }
        },
        "required": [
          "id",
          "taskId",
          "projectId",
          "authorId",
          "body",
          "version",
          "createdAt",
          "updatedAt"
        ],
        "additionalProperties": false
      },
      "PresenceEntry": {
        "title": "PresenceEntry",
        "description": "A session present in a project's room.",
        "type": "object",
        "properties": {
          "sessionId": {
            "$ref": "#/components/schemas/Id"
          },
          "user": {
            "$ref": "#/components/schemas/UserRef"
          },
          "joinedAt": {
            "description": "When the session joined the room.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Time"
              }
            ]
          }
        },
        "required": [
          "sessionId",
          "user",
          "joinedAt"
        ],
        "additionalProperties": false
      },
      "EventType": {
        "title": "EventType",
        "description": "The kind of change an event records; it is also the method name of the event's notification.",
        "type": "string",
        "enum": [
          "task.created",
          "task.updated",
          "task.statusChanged",
          "task.deleted",
          "task.moved",
          "task.reranked",
          "comment.created",
          "comment.updated",
          "comment.deleted",
          "project.updated",
          "project.deleted"
        ]
      },
      "TaskEventData": {
        "title": "TaskEventData",
        "description": "`data` of `task.created` and `task.updated`.",
        "type": "object",
        "properties": {
          "task": {
            "description": "The task as it is after the change.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Task"
              }
            ]
          }
        },
        "required": [
          "task"
        ],
        "additionalProperties": false
      },
      "TaskStatusChangedEventData": {
        "title": "TaskStatusChangedEventData",
        "description": "`data` of `task.statusChanged`.",
        "type": "object",
        "properties": {
          "task": {
            "description": "The task as it is after the change.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Task"
              }
            ]
          },
          "from": {
            "description": "The status before the change.",
            "allOf": [
              {
                "$ref": "#/components/schemas/TaskStatus"
              }
            ]
          },
          "to": {
            "description": "The status after the change (equal to `task.status`).",
            "allOf": [
              {
                "$ref": "#/components/schemas/TaskStatus"
              }
            ]
          }
        },
        "required": [
          "task",
          "from",
          "to"
        ],
        "additionalProperties": false
      },
      "TaskDeletedEventData": {
        "title": "TaskDeletedEventData",
        "description": "`data` of `task.deleted`. The task's comments were deleted with it; no `comment.deleted` events are recorded for them.",
        "type": "object",
        "properties": {
          "taskId": {
            "$ref": "#/components/schemas/Id"
          }
        },
        "required": [
          "taskId"
        ],
        "additionalProperties": false
      },
      "TaskMovedEventData": {
        "title": "TaskMovedEventData",
        "description": "`data` of `task.moved`.",
        "type": "object",
        "properties": {
          "task": {
            "description": "The task as it is after the move.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Task"
              }
            ]
          },
          "from": {
            "description": "Its column and rank before the move.",
            "type": "object",
            "properties": {
              "status": {
                "$ref": "#/components/schemas/TaskStatus"
              },
              "rank": {
                "$ref": "#/components/schemas/Rank"
              }
            },
            "required": [
              "status",
              "rank"
            ],
            "additionalProperties": false
          },
          "to": {
            "description": "Its column and rank after the move (equal to `task.status` and `task.rank`).",
            "type": "object",
            "properties": {
              "status": {
                "$ref": "#/components/schemas/TaskStatus"
              },
              "rank": {
                "$ref": "#/components/schemas/Rank"
              }
            },
            "required": [
              "status",
              "rank"
            ],
            "additionalProperties": false
          }
        },
        "required": [
          "task",
          "from",
          "to"
        ],
        "additionalProperties": false
      },
      "TaskRerankedEventData": {
        "title": "TaskRerankedEventData",
        "description": "`data` of `task.reranked`: new ranks for a stretch of one column, made in the same transaction as the move that follows it, to give it room. The cards keep their order, their `version` and everything else; a client applies the new ranks to its copies.",
        "type": "object",
        "properties": {
          "status": {
            "description": "The column.",
            "allOf": [
              {
                "$ref": "#/components/schemas/TaskStatus"
              }
            ]
          },
          "ranks": {
            "description": "The tasks whose rank changed, in column order, with their new ranks.",
            "type": "array",
            "minItems": 1,
            "items": {
              "type": "object",
              "properties": {
                "id": {
                  "$ref": "#/components/schemas/Id"
                },
                "rank": {
                  "$ref": "#/components/schemas/Rank"
                }
              },
              "required": [
                "id",
                "rank"
              ],
              "additionalProperties": false
            }
          }
        },
        "required": [
          "status",
          "ranks"
        ],
        "additionalProperties": false
      },
      "CommentEventData": {
        "title": "CommentEventData",
        "description": "`data` of `comment.created` and `comment.updated`.",
        "type": "object",
        "properties": {
          "comment": {
            "description": "The comment as it is after the change.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Comment"
              }
            ]
          }
        },
        "required": [
          "comment"
        ],
        "additionalProperties": false
      },
      "CommentDeletedEventData": {
        "title": "CommentDeletedEventData",
        "description": "`data` of `comment.deleted`.",
        "type": "object",
        "properties": {
          "commentId": {
            "$ref": "#/components/schemas/Id"
          },
          "taskId": {
            "$ref": "#/components/schemas/Id"
          }
        },
        "required": [
          "commentId",
          "taskId"
        ],
        "additionalProperties": false
      },
      "ProjectUpdatedEventData": {
        "title": "ProjectUpdatedEventData",
        "description": "`data` of `project.updated`.",
        "type": "object",
        "properties": {
          "project": {
            "description": "The project as it is after the change.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Project"
              }
            ]
          }
        },
        "required": [
          "project"
        ],
        "additionalProperties": false
      },
      "ProjectDeletedEventData": {
        "title": "ProjectDeletedEventData",
        "description": "`data` of `project.deleted`.",
        "type": "object",
        "properties": {
          "projectId": {
            "$ref": "#/components/schemas/Id"
          }
        },
        "required": [
          "projectId"
        ],
        "additionalProperties": false
      },
      "Event": {
        "title": "Event",
        "description": "One entry of a project's event log. Every change (task created, updated, status changed, moved or deleted; comment created, updated or deleted; the project renamed or removed by `taskwire admin`) appends exactly one event in the same transaction as the change (a move that first respaces its column appends `task.reranked` just before its `task.moved`). The log is never rewritten. An event is delivered as a notification whose method is `type` and whose params are the event.",
        "type": "object",
        "properties": {
          "projectId": {
            "$ref": "#/components/schemas/Id"
          },
          "seq": {
            "$ref": "#/components/schemas/Seq"
          },
          "type": {
            "$ref": "#/components/schemas/EventType"
          },
          "at": {
            "description": "When the change was made, in the transaction that committed it. An event that carries a task (task.created, task.updated, task.statusChanged, task.moved) has the task's `updatedAt`.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Time"
              }
            ]
          },
          "actor": {
            "description": "The user whose request caused the change; for `project.updated` and `project.deleted`, which the admin command line makes, `{id: \"admin\", name: \"taskwire admin\"}` (and `origin.sessionId` is `\"admin\"`).",
            "allOf": [
              {
                "$ref": "#/components/schemas/UserRef"
              }
            ]
          },
          "origin": {
            "description": "Where the change came from. A session recognizes the events of its own requests by `origin.sessionId`.",
            "type": "object",
            "properties": {
              "sessionId": {
                "description": "The session whose request caused the change.",
                "allOf": [
                  {
                    "$ref": "#/components/schemas/Id"
                  }
                ]
              }
            },
            "required": [
              "sessionId"
            ],
            "additionalProperties": false
          },
          "data": {
            "type": "object",
            "description": "Depends on `type`: see the `*EventData` schemas."
          }
        },
        "required": [
          "projectId",
          "seq",
          "type",
          "at",
          "actor",
          "origin",
          "data"
        ],
        "additionalProperties": false,
        "allOf": [
          {
            "if": {
              "properties": {
                "type": {
                  "const": "task.created"
                }
              },
              "required": [
                "type"
              ]
            },
            "then": {
              "properties": {
                "data": {
                  "$ref": "#/components/schemas/TaskEventData"
                }
              }
            }
          },
          {
            "if": {
              "properties": {
                "type": {
                  "const": "task.updated"
                }
              },
              "required": [
                "type"
              ]
            },
            "then": {
              "properties": {
                "data": {
                  "$ref": "#/components/schemas/TaskEventData"
                }
              }
            }
          },
          {
            "if": {
              "properties": {
                "type": {
                  "const": "task.statusChanged"
                }
              },
              "required": [
                "type"
              ]
            },
            "then": {
              "properties": {
                "data": {
                  "$ref": "#/components/schemas/TaskStatusChangedEventData"
                }
              }
            }
          },
          {
            "if": {
              "properties": {
                "type": {
                  "const": "task.deleted"
                }
              },
              "required": [
                "type"
              ]
            },
            "then": {
              "properties": {
                "data": {
                  "$ref": "#/components/schemas/TaskDeletedEventData"
                }
              }
            }
          },
          {
            "if": {
              "properties": {
                "type": {
                  "const": "comment.created"
                }
              },
              "required": [
                "type"
              ]
            },
            "then": {
              "properties": {
                "data": {
                  "$ref": "#/components/schemas/CommentEventData"
                }
              }
            }
          },
          {
            "if": {
              "properties": {
                "type": {
                  "const": "comment.updated"
                }
              },
              "required": [
                "type"
              ]
            },
            "then": {
              "properties": {
                "data": {
                  "$ref": "#/components/schemas/CommentEventData"
                }
              }
            }
          },
          {
            "if": {
              "properties": {
                "type": {
                  "const": "comment.deleted"
                }
              },
              "required": [
                "type"
              ]
            },
            "then": {
              "properties": {
                "data": {
                  "$ref": "#/components/schemas/CommentDeletedEventData"
                }
              }
            }
          }
        ]
      },
      "TaskCreatedEvent": {
        "title": "TaskCreatedEvent",
        "description": "An event of type `task.created` (`data`: TaskEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "task.created"
              },
              "data": {
                "$ref": "#/components/schemas/TaskEventData"
              }
            }
          }
        ]
      },
      "TaskUpdatedEvent": {
        "title": "TaskUpdatedEvent",
        "description": "An event of type `task.updated` (`data`: TaskEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "task.updated"
              },
              "data": {
                "$ref": "#/components/schemas/TaskEventData"
              }
            }
          }
        ]
      },
      "TaskStatusChangedEvent": {
        "title": "TaskStatusChangedEvent",
        "description": "An event of type `task.statusChanged` (`data`: TaskStatusChangedEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "task.statusChanged"
              },
              "data": {
                "$ref": "#/components/schemas/TaskStatusChangedEventData"
              }
            }
          }
        ]
      },
      "TaskDeletedEvent": {
        "title": "TaskDeletedEvent",
        "description": "An event of type `task.deleted` (`data`: TaskDeletedEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "task.deleted"
              },
              "data": {
                "$ref": "#/components/schemas/TaskDeletedEventData"
              }
            }
          }
        ]
      },
      "TaskMovedEvent": {
        "title": "TaskMovedEvent",
        "description": "An event of type `task.moved` (`data`: TaskMovedEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "task.moved"
              },
              "data": {
                "$ref": "#/components/schemas/TaskMovedEventData"
              }
            }
          }
        ]
      },
      "TaskRerankedEvent": {
        "title": "TaskRerankedEvent",
        "description": "An event of type `task.reranked` (`data`: TaskRerankedEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "task.reranked"
              },
              "data": {
                "$ref": "#/components/schemas/TaskRerankedEventData"
              }
            }
          }
        ]
      },
      "CommentCreatedEvent": {
        "title": "CommentCreatedEvent",
        "description": "An event of type `comment.created` (`data`: CommentEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "comment.created"
              },
              "data": {
                "$ref": "#/components/schemas/CommentEventData"
              }
            }
          }
        ]
      },
      "CommentUpdatedEvent": {
        "title": "CommentUpdatedEvent",
        "description": "An event of type `comment.updated` (`data`: CommentEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "comment.updated"
              },
              "data": {
                "$ref": "#/components/schemas/CommentEventData"
              }
            }
          }
        ]
      },
      "CommentDeletedEvent": {
        "title": "CommentDeletedEvent",
        "description": "An event of type `comment.deleted` (`data`: CommentDeletedEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "comment.deleted"
              },
              "data": {
                "$ref": "#/components/schemas/CommentDeletedEventData"
              }
            }
          }
        ]
      },
      "ProjectUpdatedEvent": {
        "title": "ProjectUpdatedEvent",
        "description": "An event of type `project.updated` (`data`: ProjectUpdatedEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "project.updated"
              },
              "data": {
                "$ref": "#/components/schemas/ProjectUpdatedEventData"
              }
            }
          }
        ]
      },
      "ProjectDeletedEvent": {
        "title": "ProjectDeletedEvent",
        "description": "An event of type `project.deleted` (`data`: ProjectDeletedEventData).",
        "allOf": [
          {
            "$ref": "#/components/schemas/Event"
          },
          {
            "properties": {
              "type": {
                "const": "project.deleted"
              },
              "data": {
                "$ref": "#/components/schemas/ProjectDeletedEventData"
              }
            }
          }
        ]
      },
      "PresenceJoinedParams": {
        "title": "PresenceJoinedParams",
        "description": "Params of the `presence.joined` notification.",
        "type": "object",
        "properties": {
          "projectId": {
            "$ref": "#/components/schemas/Id"
          },
          "sessionId": {
            "$ref": "#/components/schemas/Id"
          },
          "user": {
            "$ref": "#/components/schemas/UserRef"
          }
        },
        "required": [
          "projectId",
          "sessionId",
          "user"
        ],
        "additionalProperties": false
      },
      "PresenceLeftReason": {
        "title": "PresenceLeftReason",
        "description": "`left`: `project.leave`; `closed`: the session ended (end of input, `exit`, a signal) or was taken out of the room because it stopped reading; `timeout`: its host process died or hung (noticed within 30 s); `revoked`: its user lost membership of the organization.",
        "type": "string",
        "enum": [
          "left",
          "closed",
          "timeout",
          "revoked"
        ]
      },
      "PresenceLeftParams": {
        "title": "PresenceLeftParams",
        "description": "Params of the `presence.left` notification.",
        "type": "object",
        "properties": {
          "projectId": {
            "$ref": "#/components/schemas/Id"
          },
          "sessionId": {
            "$ref": "#/components/schemas/Id"
          },
          "user": {
            "$ref": "#/components/schemas/UserRef"
          },
          "reason": {
            "$ref": "#/components/schemas/PresenceLeftReason"
          }
        },
        "required": [
          "projectId",
          "sessionId",
          "user",
          "reason"
        ],
        "additionalProperties": false
      },
      "ProjectRevokedParams": {
        "title": "ProjectRevokedParams",
        "description": "Params of the `project.revoked` notification.",
        "type": "object",
        "properties": {
          "projectId": {
            "$ref": "#/components/schemas/Id"
          }
        },
        "required": [
          "projectId"
        ],
        "additionalProperties": false
      },
      "ProjectResyncParams": {
        "title": "ProjectResyncParams",
        "description": "Params of the `project.resync` notification.",
        "type": "object",
        "properties": {
          "projectId": {
            "$ref": "#/components/schemas/Id"
          },
          "lastSeq": {
            "description": "The `seq` of the last event of this room written to this session's output (0 if none). Rejoin with `since: lastSeq` to lose nothing.",
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "projectId",
          "lastSeq"
        ],
        "additionalProperties": false
      },
      "RelayKind": {
        "title": "RelayKind",
        "description": "How host processes sharing a database deliver events to each other: through Redis (`redis`; messages authenticated with the database's relay key, see **Relay trust** in the info description), or without Redis through the database itself: `local` for SQLite (its change counter), `postgres` for PostgreSQL (LISTEN/NOTIFY sent in the committing transaction).",
        "type": "string",
        "enum": [
          "redis",
          "local",
          "postgres"
        ]
      },
      "RelayStatusParams": {
        "title": "RelayStatusParams",
        "description": "Params of the `relay.status` notification.",
        "type": "object",
        "properties": {
          "state": {
            "description": "`connected`: the relay works; `degraded`: the Redis relay is lost and delivery continues, slower, through the database.",
            "type": "string",
            "enum": [
              "connected",
              "degraded"
            ]
          },
          "relay": {
            "$ref": "#/components/schemas/RelayKind"
          }
        },
        "required": [
          "state",
          "relay"
        ],
        "additionalProperties": false
      },
      "InvalidParamsErrorData": {
        "title": "InvalidParamsErrorData",
        "description": "`data` of a -32602 (invalid params) error.",
        "type": "object",
        "properties": {
          "field": {
            "type": "string",
            "description": "The name of the offending params field, when there is one; a field inside an object param is named by its full path (`clientInfo.name`)."
          },
          "reason": {
            "type": "string",
            "description": "Why the params were rejected. Fixed values: `unknown field`, `unsupported` (protocolVersion), `last owner`, `already joined`, `not joined`; other reasons are short human-readable text."
          },
          "supported": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "Only with `field: \"protocolVersion\"`: the protocol versions the host supports (`[\"1\"]`)."
          }
        },
        "required": [
          "reason"
        ],
        "additionalProperties": false
      },
      "MethodNotFoundErrorData": {
        "title": "MethodNotFoundErrorData",
        "description": "`data` of a -32601 (method not found) error, when present.",
        "type": "object",
        "properties": {
          "method": {
            "type": "string",
            "description": "The method name that was not found."
          }
        },
        "required": [
          "method"
        ],
        "additionalProperties": false
      },
      "ConflictErrorData": {
        "title": "ConflictErrorData",
        "description": "`data` of a -32009 (conflict) error.",
        "type": "object",
        "properties": {
          "currentVersion": {
            "$ref": "#/components/schemas/Version"
          },
          "current": {
            "description": "The entity as stored now: a Task or a Comment.",
            "anyOf": [
              {
                "$ref": "#/components/schemas/Task"
              },
              {
                "$ref": "#/components/schemas/Comment"
              }
            ]
          }
        },
        "required": [
          "currentVersion",
          "current"
        ],
        "additionalProperties": false
      },
      "BusyErrorData": {
        "title": "BusyErrorData",
        "description": "`data` of a -32010 (busy) error.",
        "type": "object",
        "properties": {
          "retryable": {
            "type": "boolean",
            "const": true
          }
        },
        "required": [
          "retryable"
        ],
        "additionalProperties": false
      }
    },
    "errors": {
      "ParseError": {
        "code": -32700,
        "message": "Parse error: the line is not valid JSON or not valid UTF-8; answered with id null."
      },
      "InvalidRequest": {
        "code": -32600,
        "message": "Invalid request: not a valid JSON-RPC 2.0 request, an empty batch, a line over the maximum message size, params that are null, a string, a number or a boolean, or `initialize` after a successful one."
      },
      "MethodNotFound": {
        "code": -32601,
        "message": "Method not found: the method is unknown (checked before initialization).",
        "data": {
          "$ref": "#/components/schemas/MethodNotFoundErrorData"
        }
      },
      "InvalidParams": {
        "code": -32602,
        "message": "Invalid params: params given as an array, an unknown field, a missing or ill-typed field, or a value outside its limits.",
        "data": {
          "$ref": "#/components/schemas/InvalidParamsErrorData"
        }
      },
      "InternalError": {
        "code": -32603,
        "message": "Internal error: a fault of the host itself, never a client mistake; it carries no internals. When the database cannot be written, `data.reason` says so: `storage full` (disk full or file size limit; nothing was changed) or `storage unavailable` (I/O error, read-only or damaged file)."
      },
      "Unauthenticated": {
        "code": -32001,
        "message": "Unauthenticated: the token is missing, unknown or revoked. A live session whose token or user is removed (`taskwire admin token remove`, `token revoke`, `user remove`) is told `project.revoked` for each room it is in (the others see `presence.left` with reason `revoked`) and then answers -32001 to every request: at its next request, or within the host's 5 s heartbeat when it sends none."
      },
      "NotInitialized": {
        "code": -32002,
        "message": "Not initialized: call initialize first."
      },
      "Forbidden": {
        "code": -32003,
        "message": "Forbidden: the user can see the target but may not do this (role below owner/admin, owner-only change, or a comment written by someone else)."
      },
      "NotFound": {
        "code": -32004,
        "message": "Not found: no such entity, or it belongs to an organization the user is not a member of."
      },
      "Conflict": {
        "code": -32009,
        "message": "Conflict: expectedVersion is stale; nothing was changed.",
        "data": {
          "$ref": "#/components/schemas/ConflictErrorData"
        }
      },
      "Busy": {
        "code": -32010,
        "message": "Busy: storage stayed busy past its timeout; nothing was written; retry.",
        "data": {
          "$ref": "#/components/schemas/BusyErrorData"
        }
      }
    }
  },
  "x-notifications": [
    {
      "name": "task.created",
      "summary": "A task was created.",
      "description": "`data: {task}`: the task as created. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/TaskCreatedEvent"
      }
    },
    {
      "name": "task.updated",
      "summary": "A task's fields were changed (`task.update`).",
      "description": "`data: {task}`: the task as it is after the change. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/TaskUpdatedEvent"
      }
    },
    {
      "name": "task.statusChanged",
      "summary": "A task's status was changed (`task.setStatus`).",
      "description": "`data: {task, from, to}`: the task after the change, and its status before and after. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/TaskStatusChangedEvent"
      }
    },
    {
      "name": "task.moved",
      "summary": "A task was moved within its column or to another one (`task.move`).",
      "description": "`data: {task, from: {status, rank}, to: {status, rank}}`: the task after the move, and its column and rank before and after. A client that applies `task.moved` and `task.reranked` in `seq` order shows the same order as `task.list` with `order: \"board\"`. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/TaskMovedEvent"
      }
    },
    {
      "name": "task.reranked",
      "summary": "A stretch of a column got new ranks, to make room for the move that follows.",
      "description": "`data: {status, ranks: [{id, rank}]}`: new ranks for cards of one column, in the same order as before; their versions do not change. Always immediately followed (next `seq`) by the `task.moved`, `task.created` or `task.statusChanged` that needed the room. Rare: only after many moves into the same gap. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/TaskRerankedEvent"
      }
    },
    {
      "name": "task.deleted",
      "summary": "A task and its comments were deleted.",
      "description": "`data: {taskId}`. The task's comments were deleted with it; no `comment.deleted` notifications are sent for them. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/TaskDeletedEvent"
      }
    },
    {
      "name": "comment.created",
      "summary": "A comment was added to a task.",
      "description": "`data: {comment}`: the comment as created. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/CommentCreatedEvent"
      }
    },
    {
      "name": "comment.updated",
      "summary": "A comment's body was changed.",
      "description": "`data: {comment}`: the comment as it is after the change. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/CommentUpdatedEvent"
      }
    },
    {
      "name": "comment.deleted",
      "summary": "A comment was deleted.",
      "description": "`data: {commentId, taskId}`. Sent, from its `project.join` until it leaves, to every session that has joined the event's project — including the session whose request caused it (recognizable by `origin.sessionId`) — in `seq` order with no gap and no duplicate, also when the change was committed by another host process and across a Redis outage. Events replayed for `project.join` with `since` are sent after the join response (after the whole batch reply when the join is inside a batch). The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/CommentDeletedEvent"
      }
    },
    {
      "name": "project.updated",
      "summary": "The project was renamed (`taskwire admin project rename`).",
      "description": "`data: {project}`: the project as it is now. Sent, from its `project.join` until it leaves, to every session that has joined the event's project, in `seq` order with no gap and no duplicate, also when the change was committed by another process. The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/ProjectUpdatedEvent"
      }
    },
    {
      "name": "project.deleted",
      "summary": "The project was removed (`taskwire admin project remove`); its room is closed.",
      "description": "`data: {projectId}`. The last event of the project's log: its tasks and comments are gone, and from then on the project answers -32004 (not found) to every method, `events.list` included. Every session in the room receives it after the events before it and is then out of the room (no `project.revoked` follows, and `project.leave` answers `not joined`). Sent, from its `project.join` until it leaves, to every session that has joined the event's project, in `seq` order with no gap and no duplicate, also when the change was committed by another process. The params are the event exactly as `events.list` returns it.",
      "params": {
        "$ref": "#/components/schemas/ProjectDeletedEvent"
      }
    },
    {
      "name": "presence.joined",
      "summary": "Another session joined a room this session is in.",
      "description": "Sent to the other sessions in the room, on every host process, when a session joins a project's room.",
      "params": {
        "$ref": "#/components/schemas/PresenceJoinedParams"
      }
    },
    {
      "name": "presence.left",
      "summary": "Another session left a room this session is in.",
      "description": "Sent to the other sessions in the room when a session leaves it: `left` after `project.leave`; `closed` at end of input, `exit`, a signal, or when the host took a slow consumer out of the room; `timeout` when its host process died or hung (within 30 s); `revoked` when its user lost membership. Exactly one `presence.left` is sent per join.",
      "params": {
        "$ref": "#/components/schemas/PresenceLeftParams"
      }
    },
    {
      "name": "project.revoked",
      "summary": "This session's user lost access to a project it had joined.",
      "description": "Sent to each session of a user removed from the organization (`member.remove`) for every room of that organization's projects it is in. The session is out of the room and receives nothing more from it (neither events nor presence); joining it again answers -32004 unless the user is made a member again.",
      "params": {
        "$ref": "#/components/schemas/ProjectRevokedParams"
      }
    },
    {
      "name": "project.resync",
      "summary": "This session was taken out of a room because it did not read fast enough.",
      "description": "When a client stops reading its output, the host does not buffer without bound: once 4 MiB of the room's notifications are queued for it and it has read nothing for 2 s, it takes the session out of the room (others see `presence.left` with reason `closed`) and drops what it had queued for it. Once the client reads again, it receives this notification; `lastSeq` is the last event of that room written to its output. Rejoin with `project.join {projectId, since: lastSeq}` to lose nothing.",
      "params": {
        "$ref": "#/components/schemas/ProjectResyncParams"
      }
    },
    {
      "name": "relay.status",
      "summary": "The state of event delivery between host processes.",
      "description": "Sent right after a successful `initialize`, and again on every change: when the Redis relay is lost (`degraded`: delivery continues through the database, slower) and when it is back (`connected`, within 5 s of Redis being reachable again). With `relay: \"local\"` hosts deliver through the database itself.",
      "params": {
        "$ref": "#/components/schemas/RelayStatusParams"
      }
    }
  ]
}
"""##

    /// The document as a JSON value.
    public static let value: JSON = {
        do { return try JSONParser.parse(text) } catch { fatalError("Protocol/openrpc.json is not valid JSON: \(error)") }
    }()
}
