"""Page cost: median server time and query count of the hot pages at 10× and 100× data.

Pages: feed, chat list, chat history (the chat page), profile. Served in-process by Django's
test client against the bench database (DEBUG off), so the figure is server time only.
"""

from __future__ import annotations

import statistics
import time

from bench import common

SIZES = (10, 100)
RUNS = 30


def _build(scale: int, prefix: str):
    """A viewer with `scale` friends, posts, chats and messages per chat."""
    from accounts.models import User
    from bench.delivery import _make_group
    from chats.models import Chat, Message
    from social.models import Friendship, Post

    (viewer_id, _), *friends = common.create_users(scale + 1, prefix)
    friend_ids = [uid for uid, _ in friends]
    Friendship.objects.bulk_create(
        [Friendship(user_id=viewer_id, friend_id=f) for f in friend_ids]
        + [Friendship(user_id=f, friend_id=viewer_id) for f in friend_ids]
    )
    Post.objects.bulk_create(
        [Post(author_id=friend_ids[i % len(friend_ids)], text=f"post {i}") for i in range(scale)]
    )
    chats = [_make_group([viewer_id, f], f"chat {f}") for f in friend_ids[:scale]]
    for chat_id in chats:
        Message.objects.bulk_create(
            [
                Message(chat_id=chat_id, seq=s, sender_id=viewer_id, text=f"m{s}")
                for s in range(1, scale + 1)
            ]
        )
        Chat.objects.filter(pk=chat_id).update(last_seq=scale)
    viewer = User.objects.get(pk=viewer_id)
    profile_of = User.objects.get(pk=friend_ids[0])
    return viewer, profile_of, chats[0]


def _measure(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(times), queries


def main() -> None:
    common.setup_django(fresh=True)
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    results = {}
    for scale in SIZES:
        viewer, person, chat_id = _build(scale, f"p{scale}x")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(viewer)
        pages = {
            "feed": reverse("social:feed"),
            "chat list": reverse("chats:list"),
            "chat history": reverse("chats:detail", args=[chat_id]),
            "profile": reverse("accounts:profile", args=[person.username]),
        }
        results[scale] = {name: _measure(client, url) for name, url in pages.items()}
    lines = [
        "| page | "
        + " | ".join(f"{s}×: median / queries" for s in SIZES)
        + " | queries constant |",
        "|---|" + "---|" * (len(SIZES) + 1),
    ]
    for name in results[SIZES[0]]:
        cells = [f"{results[s][name][0]:.1f} ms / {results[s][name][1]}" for s in SIZES]
        same = len({results[s][name][1] for s in SIZES}) == 1
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'yes' if same else 'NO'} |")
    common.record("Page cost at 10× and 100× data", lines)


if __name__ == "__main__":
    main()
