"""What a block between two people does to their dialog while their pages are open.

accounts (below chats) calls its hooks from block_create / block_delete; chats answers them
here (connected in ChatsConfig.ready). A new block ends the dialog at once on both sides: both
people get `chat.deleted` with `"reason": "blocked"` after the commit, so their chat lists drop
the row and an open dialog page closes its composer. Lifting the block publishes nothing: the
dialog comes back with its history on the next load of the list or the page (docs/security.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chats import events
from chats.models import Chat
from chats.selectors import dialog_key_of
from messenger.realtime import publish_on_commit

if TYPE_CHECKING:
    from accounts.models import User


def dialog_end_on_block(*, blocker: User, blocked: User) -> None:
    """Tell both people their dialog (if they have one) is gone for them."""
    chat_id = (
        Chat.objects.filter(dialog_key=dialog_key_of(blocker.pk, blocked.pk))
        .values_list("pk", flat=True)
        .first()
    )
    if chat_id is not None:
        publish_on_commit(
            events.chat_deleted(chat_id=chat_id, blocked=True), [blocker.pk, blocked.pk]
        )
