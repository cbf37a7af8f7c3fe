"""The JSON side of XSS: API and chat JSON answers carrying every payload are served as
`application/json` with nosniff (a browser never renders them as a page) and give the text back
exactly as typed (no double escaping that would show "&lt;" to people, no loss)."""

from __future__ import annotations

import uuid

from chats import services as chat_services
from chats.models import Chat
from tests.security.xss_payloads import PAYLOADS, chunks


def test_payloads_come_back_exactly_as_json(world, clients):
    chat = Chat.objects.get(pk=world.ids["chat"])
    texts = chunks(4000)
    for text in texts:
        chat_services.message_send(
            sender=world.users["member"], chat=chat, text=text, client_id=uuid.uuid4()
        )
    owner = clients["owner"]
    owner.patch("/api/v1/me", {"bio": chunks(2000)[0]}, content_type="application/json")
    answers = {
        "api messages": owner.get(f"/api/v1/chats/{chat.pk}/messages?limit=100"),
        "chat history": owner.get(f"/chats/{chat.pk}/history/"),
        "api me": owner.get("/api/v1/me"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert response.headers["Content-Type"].startswith("application/json"), name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
    messages = {m["text"] for m in answers["api messages"].json()["items"]}
    assert set(texts) <= messages
    history = {m["text"] for m in answers["chat history"].json()["messages"]}
    assert set(texts) <= history
    assert answers["api me"].json()["bio"] == chunks(2000)[0]
    assert all(any(payload in text for text in texts) for payload in PAYLOADS)
