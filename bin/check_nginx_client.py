"""Client half of bin/check-nginx: logs two users in through nginx and exchanges a message.

Usage: DATABASE_URL=... REDIS_URL=... python bin/check_nginx_client.py https://127.0.0.1:8443
"""

import asyncio
import http.cookiejar
import json
import os
import re
import secrets
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "messenger.settings")
PASSWORD = secrets.token_urlsafe(16)
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the check runs against a throwaway self-signed certificate


def make_users() -> int:
    """Two verified users and their dialog; returns the chat id."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from chats import services

    users = []
    for name in ("nginx-anna", "nginx-boris"):
        user, _ = User.objects.get_or_create(
            username=name, defaults={"email": f"{name}@example.org"}
        )
        user.set_password(PASSWORD)
        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        users.append(user)
    return services.dialog_get_or_create(user=users[0], other=users[1]).pk


def login(base: str, username: str) -> str:
    """Logs in through the login form; returns the Cookie header of the new session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=TLS), urllib.request.HTTPCookieProcessor(jar)
    )
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "login": username, "password": PASSWORD}
    request = urllib.request.Request(  # noqa: S310 (https base, checked in main)
        f"{base}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/accounts/login/"},
    )
    opener.open(request)
    cookies = {cookie.name: cookie.value for cookie in jar}
    check("sessionid" in cookies, f"{username} logged in through nginx")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def check(ok: bool, what: str) -> None:
    print(f"check-nginx: {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        raise SystemExit(1)


async def next_of(socket, frame_type: str) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
        if frame["type"] == frame_type:
            return frame


async def sockets(base: str, chat_id: int, cookie_a: str, cookie_b: str) -> None:
    url = base.replace("https://", "wss://") + "/ws/"
    anna = await websockets.connect(
        url, ssl=TLS, origin=base, additional_headers={"Cookie": cookie_a}
    )
    boris = await websockets.connect(
        url, ssl=TLS, origin=base, additional_headers={"Cookie": cookie_b}
    )
    text = f"through nginx {uuid.uuid4().hex[:6]}"
    await anna.send(
        json.dumps(
            {"type": "message.send", "chat": chat_id, "client_id": str(uuid.uuid4()), "text": text}
        )
    )
    ack = await next_of(anna, "message.ack")
    new = await next_of(boris, "message.new")
    check(
        ack["message"]["text"] == text and new["message"]["text"] == text,
        "message sent and delivered live",
    )
    await anna.close()
    await boris.close()
    try:
        await websockets.connect(
            url, ssl=TLS, origin="https://evil.example", additional_headers={"Cookie": cookie_a}
        )
        refused = False
    except websockets.InvalidStatus as error:
        refused = error.response.status_code == 403
    check(refused, "socket with a foreign Origin refused (403)")


def status_of(url: str) -> int:
    try:
        return urllib.request.urlopen(url, context=TLS).status  # noqa: S310
    except urllib.error.HTTPError as error:
        return error.code


def main(base: str) -> None:
    if not base.startswith("https://127.0.0.1:"):
        raise SystemExit("usage: check_nginx_client.py https://127.0.0.1:<port>")
    health = json.loads(urllib.request.urlopen(f"{base}/healthz", context=TLS).read())  # noqa: S310
    check(health.get("ok") is True, f"/healthz through nginx: {health}")
    check(
        status_of(f"{base}/media/chat-files/1/secret.txt") == 404, "chat files not served by nginx"
    )
    chat_id = make_users()
    asyncio.run(sockets(base, chat_id, login(base, "nginx-anna"), login(base, "nginx-boris")))


if __name__ == "__main__":
    main(sys.argv[1])
