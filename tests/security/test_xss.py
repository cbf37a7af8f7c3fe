"""XSS in a real browser: 204 payloads (tests/security/xss_payloads.py) in every user text field
(names, bio, posts, comments, messages, file names, chat titles, board topics and replies),
shown on the pages that render them, in the chat page's JSON state, through a live socket frame
and in the admin. Nothing may run and nothing may become markup.

The browser context bypasses the Content-Security-Policy on purpose: the policy would stop an
inline script anyway, and this test is about escaping, not about the second line of defence.
Every payload calls `__xss(n)`; the page records calls (and alert/confirm/prompt) in
`window.__xssHits`. After each page has loaded (and been scrolled, hovered and focused), the DOM
is searched for any element the payloads could have created: an event-handler attribute, a
script, a javascript: URL, a frame, object, embed, base or meta element carrying `__xss`.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chats import services as chat_services
from chats.models import Membership
from moderation.services import report_create
from social.models import Audience
from social.services import comment_create, post_create, reply_create, topic_create
from tests.conftest import session_cookie_for
from tests.factories import GroupFactory, UserFactory, befriend
from tests.realtime.test_chat_sync import Client as SocketClient
from tests.security.xss_payloads import PAYLOADS, chunks

pytestmark = pytest.mark.e2e

HOOK = """
window.__xssHits = [];
window.__xss = (n) => window.__xssHits.push(n);
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (value) => window.__xssHits.push(name + ":" + value);
}
"""
INJECTED = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/\\s/g, "").toLowerCase();
      if (attr.name.startsWith("on") && attr.value.includes("xss")) bad.push(el.outerHTML);
      if (["href", "src", "action", "formaction", "data"].includes(attr.name)
          && value.startsWith("javascript:")) bad.push(el.outerHTML);
    }
    // Data islands ({{ x|json_script }}) hold the payloads as escaped JSON: that is fine as
    // long as nothing broke out of them, which the other checks would see.
    const data = el.tagName === "SCRIPT" && el.type === "application/json";
    if (["SCRIPT", "IFRAME", "OBJECT", "EMBED", "BASE", "META", "STYLE"].includes(el.tagName)
        && !data && el.outerHTML.includes("xss")) bad.push(el.outerHTML);
  }
  return {hits: window.__xssHits, injected: bad.slice(0, 5),
          shown: (document.body.innerText.match(/__xss\\(\\d+\\)/g) || []).length};
}
"""


def build(live_url: str) -> dict:
    """Committed data: every field full of payloads; returns the viewer and the pages to see."""
    viewer = UserFactory(username="viewer", is_staff=True, is_superuser=True)
    names = [
        UserFactory(first_name=PAYLOADS[i], last_name=PAYLOADS[i + 1])
        for i in range(0, len(PAYLOADS), 2)
    ]
    bios = [UserFactory(bio=text) for text in chunks(2000)]
    author = names[0]
    befriend(viewer, author, *bios)
    group = GroupFactory(created_by=viewer, members=[author, *names[1:]], title="Payloads")
    for text in chunks(4000):
        chat_services.message_send(sender=author, chat=group, text=text, client_id=uuid.uuid4())
    file_names = chunks(200)
    for start in range(0, len(file_names), 10):
        attachments = [
            chat_services.attachment_create(
                uploader=author, chat=group, upload=SimpleUploadedFile(name, b"x", "text/plain")
            ).pk
            for name in file_names[start : start + 10]
        ]
        chat_services.message_send(
            sender=author, chat=group, text="", client_id=uuid.uuid4(), attachment_ids=attachments
        )
    for title in chunks(80):
        titled = GroupFactory(created_by=author, title=title)
        Membership.objects.create(chat=titled, user=viewer, role=Membership.Role.MEMBER)
    posts = [
        post_create(author=author, text=text, audience=Audience.EVERYONE, photos=[])
        for text in chunks(10_000)
    ]
    for text in chunks(2000):
        comment_create(author=author, post_id=posts[0].pk, text=text)
    topic = topic_create(author=author, title="Payload topic", body=chunks(20_000)[0], photos=[])
    for text in chunks(10_000):
        reply_create(author=author, topic_id=topic.pk, text=text)
    for title in chunks(200):
        topic_create(author=author, title=title, body="body", photos=[])
    # The viewer's own post, commented with payloads: the notification centre quotes them,
    # and a report freezes a copy for the moderators' queue.
    own = post_create(author=viewer, text="mine", audience=Audience.EVERYONE, photos=[])
    for text in chunks(2000)[:20]:
        comment_create(author=author, post_id=own.pk, text=text)
    report_create(
        reporter=viewer, kind="comment", object_id=own.comments.first().pk, reason="other",
        details=chunks(1000)[0],
    )  # fmt: skip
    pages = [
        "/",
        f"/posts/{posts[0].pk}/",
        f"/posts/{posts[-1].pk}/",
        *[f"/u/{person.username}/" for person in bios],
        f"/u/{author.username}/wall/",
        "/friends/",
        "/search/?q=script",
        "/chats/",
        f"/chats/{group.pk}/",
        f"/chats/{group.pk}/settings/",
        "/board/",
        "/board/?page=2",
        "/board/?page=3",
        f"/board/{topic.pk}/",
        "/admin/accounts/user/?all=",
        "/admin/chats/chat/?all=",
        "/admin/chats/message/",
        "/admin/chats/attachment/",
        "/admin/social/post/",
        "/admin/social/comment/",
        "/admin/social/topic/?all=",
        "/admin/social/reply/",
        f"/admin/accounts/user/{author.pk}/change/",
        f"/admin/social/post/{posts[0].pk}/change/",
        "/notifications/",
        "/admin/moderation/report/",
    ]
    return {"viewer": viewer, "author": author, "group": group, "pages": pages}


def visit(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.mouse.move(5, 5)
    for _ in range(3):
        page.keyboard.press("Tab")
    page.mouse.wheel(0, 20_000)
    return page.evaluate(INJECTED)


def test_no_payload_runs_or_becomes_markup(browser, live):
    """204 payloads in every text field, on 30 pages and live frames: no call, no markup."""
    world = build(live.url)
    context = browser.new_context(bypass_csp=True, locale="en-US")
    context.add_init_script(HOOK)
    context.add_cookies([session_cookie_for(world["viewer"], live)])
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems, shown = {}, 0
    for path in world["pages"]:
        result = visit(page, live.url + path)
        shown += result["shown"]
        if result["hits"] or result["injected"]:
            problems[path] = result
        if result["shown"] == 0 and "admin" not in path and "?page=" not in path:
            problems[path] = "no payload was shown: the page did not render the field"

    # Live: a payload message arrives over the socket while the chat is open.
    page.goto(f"{live.url}/chats/{world['group'].pk}/")
    page.wait_for_selector("body[data-socket='open']")
    before = page.evaluate(INJECTED)["shown"]
    sender = SocketClient(live, world["author"])
    for text in chunks(4000):
        sender.send(
            {
                "type": "message.send",
                "chat": world["group"].pk,
                "client_id": str(uuid.uuid4()),
                "text": text,
            }
        )
        while sender.next()["type"] != "message.ack":
            pass
    sender.ws.close()
    page.wait_for_function(f"document.body.innerText.split('__xss(').length > {before + 150}")
    result = page.evaluate(INJECTED)
    if result["hits"] or result["injected"]:
        problems["live frames"] = result
    context.close()
    assert problems == {}
    assert shown > 1000
