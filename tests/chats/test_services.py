"""Chat services: who may do what, what is stored, what is published to whom."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import User
from accounts.services import block_create
from chats import events, selectors, services
from chats.models import (
    AuditLog,
    Chat,
    ChatEvent,
    Membership,
    Message,
    MessageEdit,
    MessageHide,
    Reaction,
)
from tests.factories import DialogFactory, GroupFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def state(chat: Chat) -> tuple:
    """Everything a refused action must leave untouched."""
    chat.refresh_from_db()
    return (
        chat.last_seq,
        chat.title,
        Message.objects.filter(chat=chat).count(),
        list(Membership.objects.filter(chat=chat).values_list("user_id", "role").order_by("id")),
        AuditLog.objects.filter(chat=chat).count(),
        ChatEvent.objects.filter(chat=chat).count(),
        list(Message.objects.filter(chat=chat).values_list("text", "deleted_at").order_by("id")),
    )


# -- dialogs ----------------------------------------------------------------------------------
def test_dialog_is_created_once_per_pair_whoever_starts_it():
    """Opening a dialog from either side gives the same chat with both as members."""
    anna, boris = UserFactory(), UserFactory()
    first = services.dialog_get_or_create(user=anna, other=boris)
    second = services.dialog_get_or_create(user=boris, other=anna)
    assert first.pk == second.pk
    assert first.kind == Chat.Kind.DIALOG
    assert set(selectors.member_ids(first.pk)) == {anna.pk, boris.pk}
    assert Chat.objects.count() == 1


def test_empty_dialog_is_listed_for_its_opener_only():
    """Until someone writes, only the person who pressed "Message" sees the dialog listed."""
    anna, boris = UserFactory(), UserFactory()
    chat = services.dialog_get_or_create(user=anna, other=boris)
    assert [row.id for row in selectors.chat_list_for(anna)] == [chat.pk]
    assert selectors.chat_list_for(boris) == []
    MessageFactory(sender=anna, chat=chat)
    assert [row.id for row in selectors.chat_list_for(boris)] == [chat.pk]


def test_dialog_with_oneself_is_refused():
    """A dialog with yourself is refused and nothing is created."""
    anna = UserFactory()
    with pytest.raises(ValidationError):
        services.dialog_get_or_create(user=anna, other=anna)
    assert Chat.objects.count() == 0


def test_dialog_between_blocked_people_is_refused():
    """After a block neither side can open a dialog."""
    anna, boris = UserFactory(), UserFactory()
    block_create(blocker=boris, blocked=anna)
    with pytest.raises(services.Blocked):
        services.dialog_get_or_create(user=anna, other=boris)
    assert Chat.objects.count() == 0


# -- groups -----------------------------------------------------------------------------------
def test_group_create_makes_owner_members_audit_and_announces(people, published):
    """A new group has its owner, the picked friends, audit rows, and every member hears of it."""
    owner, admin, member, _ = people
    with published() as sent:
        chat = services.group_create(owner=owner, title="  Hiking   club ", members=[admin, member])
    assert chat.title == "Hiking club"
    roles = dict(Membership.objects.filter(chat=chat).values_list("user_id", "role"))
    assert roles == {owner.pk: "owner", admin.pk: "member", member.pk: "member"}
    actions = sorted(AuditLog.objects.filter(chat=chat).values_list("action", "target_user_id"))
    assert actions == sorted(
        [("created", None), ("member_added", admin.pk), ("member_added", member.pk)]
    )
    assert [(f["type"], f["seq"], ids) for f, ids in sent] == [
        ("chat.updated", 1, {owner.pk, admin.pk, member.pk})
    ]


def test_group_with_a_stranger_is_refused(people):
    """Only friends can be put in a group; a stranger makes the whole creation fail."""
    owner, _admin, member, _ = people
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        services.group_create(owner=owner, title="G", members=[member, stranger])
    assert Chat.objects.count() == 0


def test_group_with_a_blocked_friend_is_refused(people):
    """A friend who blocked the owner cannot be added, at creation or later."""
    owner, _admin, member, outsider = people
    block_create(blocker=member, blocked=owner)
    with pytest.raises(services.Blocked):
        services.group_create(owner=owner, title="G", members=[member])
    assert Chat.objects.count() == 0
    chat = services.group_create(owner=owner, title="G", members=[outsider])
    before = state(chat)
    with pytest.raises(services.Blocked):
        services.chat_members_add(actor=owner, chat=chat, users=[member])
    assert state(chat) == before


def test_group_title_must_not_be_empty(people):
    """A blank group name is refused."""
    owner, admin, _member, _ = people
    with pytest.raises(ValidationError):
        services.group_create(owner=owner, title="   ", members=[admin])
    assert Chat.objects.count() == 0


def system_line_frame(chat, message: dict, *, seq: int, to) -> tuple[dict, set[int]]:
    """The `message.new` frame of a system line with change number `seq`, sent to `to`."""
    assert message["system"] is not None and message["sender"] is None
    return (
        {"type": "message.new", "chat": chat.pk, "seq": seq, "message": message},
        {person.pk for person in to},
    )


def test_admin_renames_and_every_member_is_told(group, people, published):
    """An admin renames the group: audited with old and new name, published with a seq."""
    owner, admin, member, _ = people
    with published() as sent:
        services.group_rename(actor=admin, chat=group, title="New name")
    group.refresh_from_db()
    assert group.title == "New name"
    entry = AuditLog.objects.get(chat=group, action="renamed")
    assert (entry.actor, entry.details["to"]) == (admin, "New name")
    assert sent == [
        (
            {
                "type": "chat.updated",
                "chat": group.pk,
                "seq": 1,
                "title": "New name",
                "avatar": None,
                "by": admin.pk,
            },
            {owner.pk, admin.pk, member.pk},
        ),
        system_line_frame(group, sent[1][0]["message"], seq=2, to={owner, admin, member}),
    ]


def test_member_cannot_rename(group, people):
    """A plain member's rename is refused and nothing changes."""
    _owner, _admin, member, _ = people
    before = state(group)
    with pytest.raises(services.Forbidden):
        services.group_rename(actor=member, chat=group, title="Mine now")
    assert state(group) == before


def test_outsider_cannot_rename(group, people):
    """Someone outside the group gets 404 (the group might as well not exist)."""
    outsider = people[3]
    before = state(group)
    with pytest.raises(Http404):
        services.group_rename(actor=outsider, chat=group, title="x")
    assert state(group) == before


def test_admin_adds_a_friend_who_then_receives(group, people, published):
    """Adding a member is audited and the new member is among the recipients at once."""
    owner, admin, member, outsider = people
    with published() as sent:
        services.chat_members_add(actor=admin, chat=group, users=[outsider])
    assert Membership.objects.filter(chat=group, user=outsider, role="member").exists()
    assert AuditLog.objects.filter(
        chat=group, action="member_added", actor=admin, target_user=outsider
    ).exists()
    (frame, ids), (line, _) = sent
    assert line["message"]["system"]["kind"] == "added"
    assert frame["type"] == "member.added"
    assert frame["user"]["id"] == outsider.pk
    assert ids == {owner.pk, admin.pk, member.pk, outsider.pk}


def test_new_member_sees_the_group_from_joining_on(group, people):
    """Someone added later reads what is said from then on, not the history before, and has
    nothing unread from before either."""
    owner, admin, member, outsider = people
    before, _ = services.message_send(
        sender=owner, chat=group, text="before you came", client_id=uuid.uuid4()
    )
    services.chat_members_add(actor=admin, chat=group, users=[outsider])
    after, _ = services.message_send(
        sender=owner, chat=group, text="welcome", client_id=uuid.uuid4()
    )
    # The line of their own joining, then what came after.
    seen = selectors.history_page(outsider, group)
    assert [m.system["kind"] for m in seen[:-1]] == ["added"]
    assert [m.pk for m in seen[-1:]] == [after.pk]
    assert before.pk in [m.pk for m in selectors.history_page(member, group)]
    assert selectors.chat_row_for(outsider, group.pk).unread == 1


def test_admin_removes_a_member_with_a_reason(group, people, published):
    """The removed member is told, stops being a recipient, and the reason is audited."""
    owner, admin, member, _ = people
    with published() as sent:
        services.chat_member_remove(actor=admin, chat=group, user=member, reason="spam")
    assert not Membership.objects.filter(chat=group, user=member).exists()
    entry = AuditLog.objects.get(chat=group, action="member_removed")
    assert (entry.actor, entry.target_user, entry.reason) == (admin, member, "spam")
    (frame, ids), (line, line_ids) = sent
    assert (line["message"]["system"]["kind"], line_ids) == ("removed", {owner.pk, admin.pk})
    assert frame == {
        "type": "member.removed",
        "chat": group.pk,
        "seq": 1,
        "user": member.pk,
        "by": admin.pk,
        "left": False,
    }
    assert ids == {owner.pk, admin.pk, member.pk}
    with published() as sent:
        MessageFactory(sender=owner, chat=group)
    assert sent[0][1] == {owner.pk, admin.pk}


def test_admin_cannot_remove_another_admin_or_the_owner(group, people):
    """Admins only remove plain members; owner and admins are out of their reach."""
    owner, admin, _member, _ = people
    other_admin = UserFactory()
    Membership.objects.create(chat=group, user=other_admin, role="admin")
    before = state(group)
    for target in (owner, other_admin):
        with pytest.raises(services.Forbidden):
            services.chat_member_remove(actor=admin, chat=group, user=target)
    assert state(group) == before


def test_member_cannot_remove_anyone(group, people):
    """A plain member removing someone is refused and nothing changes."""
    _owner, admin, member, _ = people
    before = state(group)
    with pytest.raises(services.Forbidden):
        services.chat_member_remove(actor=member, chat=group, user=admin)
    assert state(group) == before


def test_owner_promotes_and_demotes(group, people, published):
    """Only the owner changes roles; both directions are audited and published."""
    owner, admin, member, _ = people
    with published() as sent:
        services.chat_member_set_role(actor=owner, chat=group, user=member, role="admin")
        services.chat_member_set_role(actor=owner, chat=group, user=admin, role="member")
    roles = dict(Membership.objects.filter(chat=group).values_list("user_id", "role"))
    assert roles == {owner.pk: "owner", admin.pk: "member", member.pk: "admin"}
    assert list(
        AuditLog.objects.filter(chat=group).order_by("id").values_list("action", "target_user")
    ) == [("promoted", member.pk), ("demoted", admin.pk)]
    changes = [f for f, _ in sent if f["type"] == "member.updated"]
    assert [(f["type"], f["user"], f["role"], f["seq"]) for f in changes] == [
        ("member.updated", member.pk, "admin", 1),
        ("member.updated", admin.pk, "member", 3),
    ]
    lines = [f["message"]["system"] for f, _ in sent if f["type"] == "message.new"]
    assert [(line["kind"], line["role"]) for line in lines] == [
        ("role", "admin"),
        ("role", "member"),
    ]


def test_admin_cannot_promote(group, people):
    """An admin promoting a member is refused and nothing changes."""
    _owner, admin, member, _ = people
    before = state(group)
    with pytest.raises(services.Forbidden):
        services.chat_member_set_role(actor=admin, chat=group, user=member, role="admin")
    assert state(group) == before


def test_owner_leaving_hands_over_to_the_oldest_admin(people, published):
    """The oldest admin becomes owner when the owner leaves; both steps are audited."""
    owner, admin, member, outsider = people
    chat = GroupFactory(created_by=owner, members=[member])
    Membership.objects.create(chat=chat, user=admin, role="admin")
    Membership.objects.create(chat=chat, user=outsider, role="admin")
    with published() as sent:
        services.chat_leave(user=owner, chat=chat)
    roles = dict(Membership.objects.filter(chat=chat).values_list("user_id", "role"))
    assert roles == {admin.pk: "owner", member.pk: "member", outsider.pk: "admin"}
    assert set(AuditLog.objects.filter(chat=chat).values_list("action", "target_user")) == {
        ("ownership_transferred", admin.pk),
        ("member_left", owner.pk),
    }
    assert [(f["type"], f["seq"]) for f, _ in sent] == [
        ("member.updated", 1),
        ("message.new", 2),  # the system line: a new owner
        ("member.removed", 3),
        ("message.new", 4),  # the system line: the owner left
    ]
    assert sent[2][1] == {owner.pk, admin.pk, member.pk, outsider.pk}
    assert sent[3][1] == {admin.pk, member.pk, outsider.pk}


def test_owner_leaving_without_admins_hands_over_to_the_oldest_member(people):
    """With no admin the member who joined first becomes the owner."""
    owner, _admin, member, outsider = people
    chat = GroupFactory(created_by=owner, members=[member, outsider])
    services.chat_leave(user=owner, chat=chat)
    assert Membership.objects.get(chat=chat, user=member).role == "owner"


def test_last_member_leaving_deletes_the_group(people):
    """When the only member leaves, the group is gone."""
    owner = people[0]
    chat = GroupFactory(created_by=owner)
    services.chat_leave(user=owner, chat=chat)
    assert not Chat.objects.filter(pk=chat.pk).exists()


def test_dialog_cannot_be_left():
    """Leaving is for groups; a dialog refuses it and stays."""
    chat = DialogFactory()
    user = Membership.objects.filter(chat=chat).first().user
    with pytest.raises(ValidationError):
        services.chat_leave(user=user, chat=chat)
    assert Membership.objects.filter(chat=chat).count() == 2


def test_owner_deletes_the_group_and_members_are_told(group, people, published):
    """Deleting removes the group and its messages; former members get `chat.deleted`."""
    owner, admin, member, _ = people
    MessageFactory(sender=member, chat=group)
    with published() as sent:
        services.group_delete(actor=owner, chat=group)
    assert not Chat.objects.filter(pk=group.pk).exists()
    assert not Message.objects.exists()
    assert sent == [({"type": "chat.deleted", "chat": group.pk}, {owner.pk, admin.pk, member.pk})]


def test_admin_cannot_delete_the_group(group, people):
    """Only the owner deletes a group."""
    admin = people[1]
    before = state(group)
    with pytest.raises(services.Forbidden):
        services.group_delete(actor=admin, chat=group)
    assert state(group) == before


# -- messages ---------------------------------------------------------------------------------
def test_send_numbers_messages_and_publishes_to_members(group, people, published):
    """Each message takes the next seq, becomes the preview and reaches every member."""
    owner, admin, member, _ = people
    with published() as sent:
        first = MessageFactory(sender=member, chat=group, text="one")
        second = MessageFactory(sender=owner, chat=group, text="two")
    assert (first.seq, second.seq) == (1, 2)
    group.refresh_from_db()
    assert (group.last_seq, group.last_message_id) == (2, second.pk)
    assert [(f["type"], f["seq"], f["message"]["text"]) for f, _ in sent] == [
        ("message.new", 1, "one"),
        ("message.new", 2, "two"),
    ]
    assert all(ids == {owner.pk, admin.pk, member.pk} for _, ids in sent)


def test_send_message_frame_has_the_declared_keys(group, people, published):
    """`message.new` carries exactly the declared message fields."""
    member = people[2]
    client_id = uuid.uuid4()
    with published() as sent:
        services.message_send(sender=member, chat=group, text="hi <b>", client_id=client_id)
    ((frame, _),) = sent
    assert set(frame) == {"type", "chat", "seq", "message"}
    message = frame["message"]
    assert set(message) == {
        "id",
        "chat",
        "seq",
        "client_id",
        "sender",
        "text",
        "reply_to",
        "attachments",
        "sticker",
        "call",
        "system",
        "reactions",
        "created_at",
        "edited_at",
        "deleted",
    }
    assert message["text"] == "hi <b>"  # stored raw; the browser escapes it
    assert message["client_id"] == str(client_id)
    assert set(message["sender"]) == {"id", "username", "display_name", "avatar_url"}


def test_sent_message_is_what_the_history_loads(group, people, published):
    """The message a send returns and publishes (built from the rows in hand) equals the one
    the history loads back from the database, field by field, on either database."""
    member = people[2]
    with published() as sent:
        message, created = services.message_send(
            sender=member, chat=group, text="как дела? 👋", client_id=uuid.uuid4()
        )
    assert created
    ((frame, _),) = sent
    (stored,) = selectors.history_page(member, group)
    assert events.message_payload(stored) == events.message_payload(message) == frame["message"]
    assert (message.created_at, message.client_id) == (stored.created_at, stored.client_id)


def test_message_shows_the_senders_current_name(group, people, published):
    """A sender renamed since their socket logged in (a stale user object) appears with the
    new name, also to the recipients."""
    member = people[2]
    stale = User.objects.get(pk=member.pk)
    User.objects.filter(pk=member.pk).update(first_name="Renamed", last_name="Person")
    with published() as sent:
        message, _created = services.message_send(
            sender=stale, chat=group, text="hello", client_id=uuid.uuid4()
        )
    ((frame, _),) = sent
    assert frame["message"]["sender"]["display_name"] == "Renamed Person"
    assert events.message_ack(message)["message"]["sender"]["display_name"] == "Renamed Person"


def test_send_by_non_member_is_refused(group, people):
    """An outsider's message is refused with 404 and nothing is stored."""
    before = state(group)
    with pytest.raises(Http404):
        MessageFactory(sender=people[3], chat=group)
    assert state(group) == before


def test_send_empty_or_too_long_is_refused(group, people):
    """Empty and over-long texts are refused."""
    member = people[2]
    before = state(group)
    for text in ("   ", "x" * 4001):
        with pytest.raises(ValidationError):
            MessageFactory(sender=member, chat=group, text=text)
    assert state(group) == before


def test_blocked_people_cannot_message_each_other_in_their_dialog():
    """After a block, neither side's message is stored."""
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    MessageFactory(sender=anna, chat=chat, text="before")
    block_create(blocker=boris, blocked=anna)
    before = state(chat)
    for sender in (anna, boris):
        with pytest.raises(services.Blocked):
            MessageFactory(sender=sender, chat=chat, text="after")
    assert state(chat) == before


def test_repeated_client_id_returns_the_original(group, people, published):
    """Resending with the same client_id stores nothing new and publishes nothing."""
    member = people[2]
    client_id = uuid.uuid4()
    first, created = services.message_send(
        sender=member, chat=group, text="once", client_id=client_id
    )
    with published() as sent:
        again, created_again = services.message_send(
            sender=member, chat=group, text="once", client_id=str(client_id)
        )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert sent == []


def test_reply_must_be_in_the_same_chat(group, people):
    """Replying to a message of another chat is refused."""
    owner, _admin, member, _ = people
    other = GroupFactory(created_by=owner)
    foreign = MessageFactory(sender=owner, chat=other)
    before = state(group)
    with pytest.raises(ValidationError):
        MessageFactory(sender=member, chat=group, reply_to=foreign.pk)
    assert state(group) == before
    original = MessageFactory(sender=owner, chat=group, text="question")
    reply = MessageFactory(sender=member, chat=group, reply_to=original.pk)
    assert reply.reply_to_id == original.pk


def test_edit_keeps_history_and_publishes(group, people, published):
    """Editing one's own message saves the old text and publishes `message.updated`."""
    member = people[2]
    message = MessageFactory(sender=member, chat=group, text="helo")
    with published() as sent:
        services.message_edit(editor=member, message_id=message.pk, text="hello")
    message.refresh_from_db()
    assert message.text == "hello"
    assert message.edited_at is not None
    assert list(MessageEdit.objects.values_list("text", flat=True)) == ["helo"]
    ((frame, _),) = sent
    assert (frame["type"], frame["seq"], frame["message"]["seq"]) == ("message.updated", 2, 1)


def test_nobody_edits_someone_elses_message(group, people):
    """Even the owner cannot edit another member's message."""
    owner, _admin, member, _ = people
    message = MessageFactory(sender=member, chat=group, text="mine")
    before = state(group)
    with pytest.raises(services.Forbidden):
        services.message_edit(editor=owner, message_id=message.pk, text="yours")
    assert state(group) == before
    assert not MessageEdit.objects.exists()


def test_delete_for_me_hides_only_for_me(group, people, published):
    """ "Delete for me" hides the message from my history only and tells only my sockets."""
    _owner, admin, member, _ = people
    message = MessageFactory(sender=admin, chat=group)
    with published() as sent:
        services.message_delete(actor=member, message_id=message.pk, scope="me")
    assert MessageHide.objects.filter(user=member, message=message).exists()
    assert selectors.history_page(member, group) == []
    assert [m.pk for m in selectors.history_page(admin, group)] == [message.pk]
    assert sent == [
        (
            {
                "type": "message.deleted",
                "chat": group.pk,
                "message": message.pk,
                "seq": None,
                "scope": "me",
            },
            {member.pk},
        )
    ]


def test_delete_own_message_for_everyone_leaves_a_tombstone(group, people, published):
    """Deleting for all wipes text, reactions and edits, keeps the seq, and is not audited."""
    owner, admin, member, _ = people
    message = MessageFactory(sender=member, chat=group, text="oops")
    services.reaction_add(user=owner, message_id=message.pk, emoji="👍")
    services.message_edit(editor=member, message_id=message.pk, text="oops!")
    with published() as sent:
        services.message_delete(actor=member, message_id=message.pk, scope="all")
    message.refresh_from_db()
    assert (message.text, message.is_deleted) == ("", True)
    assert not Reaction.objects.exists()
    assert not MessageEdit.objects.exists()
    assert not AuditLog.objects.filter(action="message_deleted").exists()
    ((frame, ids),) = sent
    assert frame == {
        "type": "message.deleted",
        "chat": group.pk,
        "message": message.pk,
        "seq": 4,
        "scope": "all",
    }
    assert ids == {owner.pk, admin.pk, member.pk}


def test_admin_deletes_a_members_message_and_it_is_audited(group, people):
    """An admin deleting someone's message writes an audit row with the reason."""
    _owner, admin, member, _ = people
    message = MessageFactory(sender=member, chat=group)
    services.message_delete(actor=admin, message_id=message.pk, scope="all", reason="rude")
    entry = AuditLog.objects.get(action="message_deleted")
    assert (entry.actor, entry.target_user, entry.reason) == (admin, member, "rude")
    assert entry.details == {"message": message.pk, "seq": message.seq}


def test_member_and_admin_limits_on_deleting_others(group, people):
    """A member cannot delete others' messages; an admin cannot delete the owner's."""
    owner, admin, member, _ = people
    by_admin = MessageFactory(sender=admin, chat=group)
    by_owner = MessageFactory(sender=owner, chat=group)
    before = state(group)
    with pytest.raises(services.Forbidden):
        services.message_delete(actor=member, message_id=by_admin.pk, scope="all")
    with pytest.raises(services.Forbidden):
        services.message_delete(actor=admin, message_id=by_owner.pk, scope="all")
    assert state(group) == before


def test_reactions_toggle_and_count(group, people, published):
    """Adding twice counts once; removing takes it away; each change is published."""
    owner, admin, member, _ = people
    message = MessageFactory(sender=member, chat=group)
    with published() as sent:
        services.reaction_add(user=owner, message_id=message.pk, emoji="👍")
        services.reaction_add(user=owner, message_id=message.pk, emoji="👍")
        services.reaction_add(user=admin, message_id=message.pk, emoji="👍")
        services.reaction_remove(user=owner, message_id=message.pk, emoji="👍")
    assert list(Reaction.objects.values_list("user_id", "emoji")) == [(admin.pk, "👍")]
    assert [f["seq"] for f, _ in sent] == [2, 3, 4]
    last = sent[-1][0]
    assert last["reactions"] == [
        {
            "emoji": "👍",
            "count": 1,
            "user_ids": [admin.pk],
            "users": [
                {
                    "id": admin.pk,
                    "username": admin.username,
                    "display_name": admin.display_name,
                    "avatar_url": None,
                }
            ],
        }
    ]


def test_unknown_reaction_is_refused(group, people):
    """A reaction outside the picker's set is refused."""
    member = people[2]
    message = MessageFactory(sender=member, chat=group)
    with pytest.raises(ValidationError):
        services.reaction_add(user=member, message_id=message.pk, emoji="<script>")
    assert not Reaction.objects.exists()


def test_read_moves_forward_only_and_is_clamped(group, people, published):
    """The read mark never goes back nor past the last change; only real moves publish."""
    owner, admin, member, _ = people
    for _ in range(3):
        MessageFactory(sender=owner, chat=group)
    with published() as sent:
        assert services.chat_read(user=member, chat_id=group.pk, seq=2) == 2
        assert services.chat_read(user=member, chat_id=group.pk, seq=1) == 2
        assert services.chat_read(user=member, chat_id=group.pk, seq=99) == 3
    assert Membership.objects.get(chat=group, user=member).last_read_seq == 3
    assert [(f["seq"], ids) for f, ids in sent] == [
        (2, {owner.pk, admin.pk, member.pk}),
        (3, {owner.pk, admin.pk, member.pk}),
    ]


def test_hidden_chat_comes_back_with_a_new_message_without_old_history():
    """ "Delete chat for me" hides the chat until someone writes; old messages stay hidden."""
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    MessageFactory(sender=boris, chat=chat, text="old")
    services.chat_hide(user=anna, chat=chat)
    assert selectors.chat_list_for(anna) == []
    assert [r.id for r in selectors.chat_list_for(boris)] == [chat.pk]
    MessageFactory(sender=boris, chat=chat, text="new")
    rows = selectors.chat_list_for(anna)
    assert [r.id for r in rows] == [chat.pk]
    assert rows[0].unread == 1
    assert [m.text for m in selectors.history_page(anna, chat)] == ["new"]


def test_unread_counts_and_order_of_the_chat_list(people):
    """The list is sorted by last activity with per-chat unread counts and a total."""
    owner, _admin, member, _ = people
    quiet = GroupFactory(created_by=owner, members=[member], title="Quiet")
    busy = GroupFactory(created_by=owner, members=[member], title="Busy")
    MessageFactory(sender=owner, chat=quiet)
    for _ in range(3):
        MessageFactory(sender=owner, chat=busy)
    MessageFactory(sender=member, chat=busy)  # my own message does not count
    rows = selectors.chat_list_for(member)
    assert [(r.title, r.unread) for r in rows] == [("Busy", 0), ("Quiet", 1)]
    MessageFactory(sender=owner, chat=quiet)
    rows = selectors.chat_list_for(member)
    assert [(r.title, r.unread) for r in rows] == [("Quiet", 2), ("Busy", 0)]
    assert selectors.unread_total(member) == 2
    assert [r.title for r in selectors.chat_list_for(member, q="qui")] == ["Quiet"]


def test_audit_log_is_for_owner_and_admins_only(group, people):
    """Owner and admins read the audit log; members and outsiders get 404."""
    owner, admin, member, outsider = people
    services.group_rename(actor=owner, chat=group, title="Renamed")
    assert [e.action for e in selectors.audit_log_for(owner, group)] == ["renamed"]
    assert [e.action for e in selectors.audit_log_for(admin, group)] == ["renamed"]
    for person in (member, outsider):
        with pytest.raises(Http404):
            selectors.audit_log_for(person, group)


def test_friends_only_can_be_added(group, people):
    """Adding someone who is not the actor's friend is refused."""
    admin = people[1]
    stranger = UserFactory()
    before = state(group)
    with pytest.raises(ValidationError):
        services.chat_members_add(actor=admin, chat=group, users=[stranger])
    assert state(group) == before
