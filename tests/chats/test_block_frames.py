"""A block ends the dialog live: both people's sockets get `chat.deleted` with reason
"blocked"; nobody else, and nothing for a repeated block, a self-block or a group."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError

from accounts.services import block_create, block_delete
from tests.chats.test_consumers import close_all, delivered, open_peers
from tests.factories import DialogFactory, GroupFactory, UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


async def test_block_sends_chat_deleted_to_both_people_of_the_dialog_only():
    """Boris blocks Anna: both get the frame for their dialog, Carl (a stranger) nothing."""
    anna, boris, carl = [await db(UserFactory)() for _ in range(3)]
    dialog = await db(DialogFactory)(user=anna, other=boris)
    await db(DialogFactory)(user=anna, other=carl)
    peers = await open_peers(anna=anna, boris=boris, carl=carl)
    await db(block_create)(blocker=boris, blocked=anna)
    got = await delivered(peers, "chat.deleted", {"anna", "boris"})
    for frame in got.values():
        assert frame == {"type": "chat.deleted", "chat": dialog.pk, "reason": "blocked"}
    await close_all(peers)


async def test_no_frame_without_a_dialog_for_a_repeat_a_self_block_or_an_unblock():
    """Nothing is published when there is no dialog, when the block already stood, when a
    person tries to block themselves (refused), or when a block is lifted; a group the two
    share is not touched."""
    anna, boris, carl = [await db(UserFactory)() for _ in range(3)]
    await db(GroupFactory)(created_by=anna, members=[boris, carl])
    await db(DialogFactory)(user=anna, other=boris)
    await db(block_create)(blocker=boris, blocked=anna)
    peers = await open_peers(anna=anna, boris=boris, carl=carl)
    await db(block_create)(blocker=boris, blocked=anna)  # repeated
    await db(block_create)(blocker=anna, blocked=carl)  # no dialog between them
    with pytest.raises(ValidationError):
        await db(block_create)(blocker=anna, blocked=anna)
    await db(block_delete)(blocker=boris, blocked=anna)
    for peer in peers.values():
        assert await peer.received_nothing(), f"{peer.name} received {peer.inbox}"
    await close_all(peers)
