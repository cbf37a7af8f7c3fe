"""Run one row of the HTTP or API table for one actor and say what went wrong (if anything).

Each case runs inside a savepoint that is rolled back afterwards, so one world serves every
actor of a row: allowed writes (a delete, a rename) do not disturb the next actor's case.
"""

from __future__ import annotations

import json
import uuid
from functools import partial

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client

from chats.models import Membership
from messenger.realtime import hub
from tests.factories import photo_upload
from tests.security.matrix import KNOWS, PNG, TXT, Row
from tests.security.world import SECRETS, World, changed_tables, snapshot

LOGIN_PREFIX = "/accounts/login/"


def fill(value, ids: dict):
    """Put World ids into a path or body template ("{chat}" alone keeps the id's type)."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        if value == PNG:
            return photo_upload("pic.png", fmt="PNG")
        if value == TXT:
            return SimpleUploadedFile("notes.txt", b"hello", "text/plain")
        return value.format(**ids, uuid=uuid.uuid4())
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {str(fill(key, ids)): fill(item, ids) for key, item in value.items()}
    return value


def clients_for(world: World) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for actor, user in world.users.items():
        clients[actor] = Client()
        clients[actor].force_login(user)
    return clients


def send(client: Client, row: Row, ids: dict, *, api: bool):
    path = fill(row.path, ids)
    body = fill(row.body, ids) if row.body is not None else None
    if row.method == "GET":
        return client.get(path)
    if not api or row.form:
        if row.method == "POST":
            return client.post(path, body or {})
        return client.generic(row.method, path)
    payload = json.dumps(body) if body is not None else ""
    return client.generic(row.method, path, payload, content_type="application/json")


def unknown_secrets(actor: str) -> list[str]:
    """The secret texts `actor` may not read anywhere."""
    return [SECRETS[name] for name, readers in KNOWS.items() if actor not in readers.split()]


def about_pre_join(frame: dict, world: World) -> bool:
    """True if `frame` is about the group's message from before "late" joined."""
    message = frame.get("message")
    message_id = message.get("id") if isinstance(message, dict) else message
    return message_id == world.ids["message"]


def _published(start: int) -> list[tuple[dict, set[int]]]:
    sent = []
    for _sids, callback, *_rest in connection.run_on_commit[start:]:
        if isinstance(callback, partial) and callback.func is hub.publish:
            frame, user_ids = callback.args
            sent.append((frame, set(user_ids)))
    return sent


def _members(chat_id: int) -> set[int]:
    return set(Membership.objects.filter(chat_id=chat_id).values_list("user_id", flat=True))


def run_case(
    world: World,
    clients: dict,
    row: Row,
    actor: str,
    *,
    api: bool,
    ids=None,
    allowed: bool | None = None,
) -> list:
    """Problems with `actor` sending `row` (an empty list when the outcome is the expected).
    `allowed` defaults to the row's answer for the world's own ids (other ids: refused)."""
    ids = ids or world.ids
    if allowed is None:
        allowed = actor in row.allowed and ids is world.ids
    names = {user.pk: name for name, user in world.users.items()}
    problems = []
    with transaction.atomic():
        before = snapshot()
        members_before = _members(world.ids["chat"])
        start = len(connection.run_on_commit)
        try:
            response = send(clients[actor], row, ids, api=api)
        except Exception as exc:  # a crash is a 500 for the user
            transaction.set_rollback(True)
            return [f"raised {type(exc).__name__}: {exc}"]
        published = _published(start)
        changed = changed_tables(before, snapshot())
        members_after = _members(world.ids["chat"])
        transaction.set_rollback(True)

    status = response.status_code
    location = response.headers.get("Location", "")
    body = b"" if getattr(response, "streaming", False) else response.content
    text = body.decode("utf-8", "replace")
    if status >= 500:
        problems.append(f"status {status}")
    if allowed:
        if status >= 400 or location.startswith(LOGIN_PREFIX):
            problems.append(f"allowed but got {status} {location} {text[:200]}")
    elif actor == "anonymous":
        # Private files (an <img> cannot follow a login redirect) answer a plain 404.
        login = status == 302 and location.startswith(LOGIN_PREFIX)
        if not (status == 401 if api else login or (row.method == "GET" and status == 404)):
            problems.append(f"anonymous got {status} {location}")
    elif row.method == "GET":
        if status not in (403, 404):
            problems.append(f"denied read got {status}")
    elif status not in (400, 403, 404, 409) and not (status == 302 and not changed):
        problems.append(f"denied write got {status}")
    if not allowed:
        if changed:
            problems.append(f"denied but changed {changed}")
        if published:
            problems.append(f"denied but published {[frame['type'] for frame, _ in published]}")
    if row.secret and actor not in row.readers and SECRETS[row.secret] in text:
        problems.append(f"response shows the {row.secret} text")
    for secret in unknown_secrets(actor):
        if secret in text:
            problems.append(f"response shows {secret!r}")
    for frame, user_ids in published:
        encoded = json.dumps(frame, ensure_ascii=False)
        if about_pre_join(frame, world) and world.users["late"].pk in user_ids:
            problems.append(f"{frame['type']} about a pre-join message went to late")
        for user_id in user_ids:
            recipient = names.get(user_id)
            if recipient and any(secret in encoded for secret in unknown_secrets(recipient)):
                problems.append(f"{frame['type']} with a secret went to {recipient}")
        if row.chat and frame.get("chat") == world.ids["chat"]:
            strays = user_ids - members_before - members_after
            if strays:
                problems.append(f"{frame['type']} went to non-members {strays}")
    return problems
