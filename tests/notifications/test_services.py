"""One test per kind of notification, and the rules: never for oneself, never across a block,
never from a muted chat, never to a former member, never for a kind switched off."""

import uuid

import pytest

from accounts.services import block_create
from chats import services as chats
from chats.models import Membership
from notifications import events, selectors, services
from notifications.models import Kind, Notification
from social import services as social
from social.models import Audience
from tests.factories import DialogFactory, GroupFactory, PostFactory, UserFactory, befriend
from tests.notifications.conftest import kinds_of

pytestmark = pytest.mark.django_db


def only(user) -> Notification:
    """`user`'s one notification (asserting there is exactly one)."""
    rows = list(Notification.objects.filter(recipient=user))
    assert len(rows) == 1, rows
    return rows[0]


def send(sender, chat, text, **kwargs):
    message, _created = chats.message_send(
        sender=sender, chat=chat, text=text, client_id=uuid.uuid4(), **kwargs
    )
    return message


# -- one per kind -----------------------------------------------------------------------------
def test_friend_request_notifies_the_addressee(user, other_user):
    """Asking someone to be friends tells them who asked."""
    social.friend_request_send(from_user=user, to_user=other_user)
    notification = only(other_user)
    assert (notification.kind, notification.actor) == (Kind.FRIEND_REQUEST, user)
    assert events.describe(notification) == f"{user.display_name} wants to be your friend"
    assert events.notification_url(notification) == "/friends/?tab=incoming"
    assert kinds_of(user) == []


def test_accepted_request_notifies_the_sender_and_answers_the_request(user, other_user):
    """Accepting tells the one who asked; the request's own notification counts as read."""
    social.friend_request_send(from_user=user, to_user=other_user)
    social.friend_request_accept(user=other_user, from_user=user)
    notification = only(user)
    assert (notification.kind, notification.actor) == (Kind.FRIEND_ACCEPTED, other_user)
    assert events.describe(notification) == (
        f"{other_user.display_name} accepted your friend request"
    )
    assert selectors.unread_count(other_user) == 0


def test_withdrawn_request_takes_its_notification_back(user, other_user):
    """A request withdrawn before it was answered leaves no notification behind."""
    social.friend_request_send(from_user=user, to_user=other_user)
    social.friend_request_cancel(from_user=user, to_user=other_user)
    assert kinds_of(other_user) == []


def test_declined_request_counts_as_read(user, other_user):
    """Declining answers the request: its notification stays in the list, read; the sender
    is not told."""
    social.friend_request_send(from_user=user, to_user=other_user)
    social.friend_request_decline(user=other_user, from_user=user)
    assert only(other_user).is_read
    assert kinds_of(user) == []


def test_like_notifies_the_author_once(user, other_user):
    """A like tells the post's author; unliking and liking again adds nothing while unread."""
    post = PostFactory(author=user)
    social.post_like_toggle(user=other_user, post_id=post.pk)
    social.post_like_toggle(user=other_user, post_id=post.pk)
    social.post_like_toggle(user=other_user, post_id=post.pk)
    notification = only(user)
    assert (notification.kind, notification.post) == (Kind.POST_LIKED, post)
    assert events.describe(notification) == f"{other_user.display_name} liked your post"
    assert events.notification_url(notification) == f"/posts/{post.pk}/"


def test_comment_notifies_the_author_with_an_excerpt(user, other_user):
    """A comment tells the post's author, quoting the comment."""
    post = PostFactory(author=user)
    comment = social.comment_create(author=other_user, post_id=post.pk, text="Great  view!")
    notification = only(user)
    assert (notification.kind, notification.comment) == (Kind.POST_COMMENTED, comment)
    assert events.describe(notification) == f"{other_user.display_name} commented on your post"
    assert events.excerpt(notification) == "Great view!"
    assert events.notification_url(notification) == f"/posts/{post.pk}/#comment-{comment.pk}"


def test_mention_in_a_comment_notifies_people_who_may_see_the_post(user, other_user):
    """@name in a comment tells that person if they may see the post; a stranger mentioned
    under a friends-only post, and the commenter mentioning themselves, get nothing."""
    author, friend, stranger = UserFactory(), UserFactory(), UserFactory()
    befriend(author, user, friend)
    post = PostFactory(author=author, audience=Audience.FRIENDS)
    social.comment_create(
        author=user,
        post_id=post.pk,
        text=f"@{friend.username}, @{stranger.username} and @{user.username}: look.",
    )
    notification = only(friend)
    assert notification.kind == Kind.COMMENT_MENTION
    assert events.describe(notification) == f"{user.display_name} mentioned you in a comment"
    assert kinds_of(stranger) == [] and kinds_of(user) == []
    assert kinds_of(author) == [Kind.POST_COMMENTED]


def test_post_author_mentioned_in_a_comment_is_notified_once(user, other_user):
    """The author mentioned under their own post gets the comment notification only."""
    post = PostFactory(author=user)
    social.comment_create(author=other_user, post_id=post.pk, text=f"@{user.username} hi")
    assert kinds_of(user) == [Kind.POST_COMMENTED]


def test_reply_in_a_group_notifies_the_replied_member(user, other_user):
    """Replying to someone's message in a group tells them, naming the group."""
    chat = GroupFactory(created_by=user, members=[other_user], title="Hikers")
    original = send(user, chat, "Who is coming?")
    reply = send(other_user, chat, "Me!", reply_to=original.pk)
    notification = only(user)
    assert (notification.kind, notification.chat, notification.message_id) == (
        Kind.MESSAGE_REPLY,
        chat,
        reply.pk,
    )
    assert events.describe(notification) == (
        f"{other_user.display_name} replied to your message in Hikers"
    )
    assert events.excerpt(notification) == "Me!"
    assert events.notification_url(notification) == f"/chats/{chat.pk}/"


def test_mention_in_a_chat_notifies_members_only(user, other_user):
    """@name in a group tells that member; a non-member named in it gets nothing."""
    outsider = UserFactory()
    chat = GroupFactory(created_by=user, members=[other_user], title="Hikers")
    send(user, chat, f"@{other_user.username} and @{outsider.username}, see you at 9.")
    notification = only(other_user)
    assert notification.kind == Kind.MESSAGE_MENTION
    assert events.describe(notification) == f"{user.display_name} mentioned you in Hikers"
    assert kinds_of(outsider) == []


def test_reply_that_mentions_the_replied_person_notifies_once(user, other_user):
    """A reply that also @mentions the person replied to is one notification, the reply."""
    chat = DialogFactory(user=user, other=other_user)
    original = send(user, chat, "Ready?")
    send(other_user, chat, f"@{user.username} yes", reply_to=original.pk)
    assert kinds_of(user) == [Kind.MESSAGE_REPLY]
    assert events.describe(only(user)) == f"{other_user.display_name} replied to your message"


def test_adding_to_a_group_notifies_the_added(user, other_user):
    """Creating a group and adding members later both tell the people added."""
    late = UserFactory()
    befriend(user, other_user, late)
    chat = chats.group_create(owner=user, title="Book club", members=[other_user])
    chats.chat_members_add(actor=user, chat=chat, users=[late])
    for person in (other_user, late):
        notification = only(person)
        assert (notification.kind, notification.chat) == (Kind.GROUP_ADDED, chat)
        assert events.describe(notification) == (
            f"{user.display_name} added you to the group Book club"
        )
    assert kinds_of(user) == []


def test_missed_call_notifies_the_callee(user, other_user):
    """A call given up while ringing tells the other person of the dialog; answered and
    declined calls tell nobody."""
    chat = DialogFactory(user=user, other=other_user)
    chats.call_record(user=user, chat_id=chat.pk, call_id=uuid.uuid4(), state="missed")
    chats.call_record(user=user, chat_id=chat.pk, call_id=uuid.uuid4(), state="answered")
    chats.call_record(user=other_user, chat_id=chat.pk, call_id=uuid.uuid4(), state="declined")
    notification = only(other_user)
    assert notification.kind == Kind.CALL_MISSED
    assert events.describe(notification) == f"Missed call from {user.display_name}"
    assert kinds_of(user) == []


# -- the rules --------------------------------------------------------------------------------
def test_own_actions_notify_nobody(user):
    """Liking, commenting and replying to oneself, or mentioning oneself, notify nobody."""
    post = PostFactory(author=user)
    social.post_like_toggle(user=user, post_id=post.pk)
    social.comment_create(author=user, post_id=post.pk, text=f"@{user.username}")
    chat = GroupFactory(created_by=user, members=[UserFactory()])
    original = send(user, chat, "note")
    send(user, chat, f"@{user.username} again", reply_to=original.pk)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("direction", ["actor blocked recipient", "recipient blocked actor"])
def test_blocked_people_never_notify_each_other(user, other_user, direction):
    """Across a block (either way) a reply, a mention and a comment mention notify nobody."""
    third = UserFactory()
    chat = GroupFactory(created_by=third, members=[user, other_user])
    original = send(user, chat, "hello")
    post = PostFactory(author=third)
    if direction == "actor blocked recipient":
        block_create(blocker=other_user, blocked=user)
    else:
        block_create(blocker=user, blocked=other_user)
    send(other_user, chat, f"@{user.username} hi", reply_to=original.pk)
    social.comment_create(author=other_user, post_id=post.pk, text=f"@{user.username}")
    assert kinds_of(user) == []
    assert kinds_of(third) == [Kind.POST_COMMENTED]


def test_block_after_the_fact_hides_the_notification(user, other_user):
    """A notification from someone blocked later leaves the list and the count."""
    post = PostFactory(author=user)
    social.post_like_toggle(user=other_user, post_id=post.pk)
    assert selectors.unread_count(user) == 1
    block_create(blocker=user, blocked=other_user)
    assert selectors.unread_count(user) == 0
    assert selectors.notifications_for(user) == []


def test_muted_chat_notifies_nobody(user, other_user):
    """In a chat the member muted, replies, mentions and missed calls make no notification;
    unmuting brings them back."""
    dialog = DialogFactory(user=user, other=other_user)
    original = send(user, dialog, "ping")
    chats.chat_mute_set(user=user, chat=dialog, muted=True)
    send(other_user, dialog, f"@{user.username}", reply_to=original.pk)
    chats.call_record(user=other_user, chat_id=dialog.pk, call_id=uuid.uuid4(), state="missed")
    assert kinds_of(user) == []
    chats.chat_mute_set(user=user, chat=dialog, muted=False)
    send(other_user, dialog, "pong", reply_to=original.pk)
    assert kinds_of(user) == [Kind.MESSAGE_REPLY]


def test_removed_member_is_not_notified(user, other_user):
    """A reply to the message of someone who has left, or a mention of them, notifies nobody."""
    chat = GroupFactory(created_by=user, members=[other_user])
    original = send(other_user, chat, "bye all")
    chats.chat_leave(user=other_user, chat=chat)
    send(user, chat, f"@{other_user.username} bye", reply_to=original.pk)
    assert kinds_of(other_user) == []


def test_removed_members_earlier_notifications_leave_the_list(user, other_user):
    """Once removed from a group, its notifications (added, mentions) are no longer shown."""
    befriend(user, other_user)
    chat = chats.group_create(owner=user, title="Hikers", members=[other_user])
    send(user, chat, f"@{other_user.username} welcome")
    assert selectors.unread_count(other_user) == 2
    chats.chat_member_remove(actor=user, chat=chat, user=other_user)
    assert selectors.unread_count(other_user) == 0
    assert selectors.notifications_for(other_user) == []


def test_switched_off_kind_makes_no_notification(user, other_user):
    """Someone who switched likes off is not told about likes, but still about comments."""
    services.notification_settings_update(
        user=user, email_digest=False, muted_kinds=[Kind.POST_LIKED]
    )
    post = PostFactory(author=user)
    social.post_like_toggle(user=other_user, post_id=post.pk)
    social.comment_create(author=other_user, post_id=post.pk, text="nice")
    assert kinds_of(user) == [Kind.POST_COMMENTED]


def test_plain_message_costs_no_query(user, other_user, django_assert_num_queries):
    """Without a reply and without an "@", the message hook runs no query at all."""
    chat = DialogFactory(user=user, other=other_user)
    message = send(user, chat, "just text")
    with django_assert_num_queries(0):
        services.notify_message_sent(message=message, chat=chat, reply_to=None)


def test_mentions_are_capped(user):
    """A message naming many people notifies the first MENTIONS_MAX members only."""
    people = [UserFactory() for _ in range(services.MENTIONS_MAX + 3)]
    chat = GroupFactory(created_by=user, members=people)
    send(user, chat, " ".join(f"@{p.username}" for p in people))
    assert Notification.objects.count() == services.MENTIONS_MAX


def test_mention_parsing_ignores_email_addresses():
    """ "me@example.org" mentions nobody; a trailing dot is punctuation."""
    assert services.mentioned_usernames("write to me@example.org") == []
    assert "anna" in services.mentioned_usernames("thanks @anna.")


# -- the recipient's writes -------------------------------------------------------------------
def test_mark_read_and_mark_all_read(user, other_user):
    """Marking one read lowers the count by one; all read leaves none, others' untouched."""
    for _ in range(3):
        social.post_like_toggle(user=UserFactory(), post_id=PostFactory(author=user).pk)
    social.post_like_toggle(user=user, post_id=PostFactory(author=other_user).pk)
    first = selectors.notifications_for(user)[0]
    services.notification_mark_read(user=user, notification_id=first.pk)
    assert selectors.unread_count(user) == 2
    assert services.notifications_mark_all_read(user=user) == 2
    assert selectors.unread_count(user) == 0
    assert selectors.unread_count(other_user) == 1


def test_mark_read_refuses_someone_elses(user, other_user):
    """Someone else's notification is a 404 and stays unread."""
    from django.http import Http404

    social.post_like_toggle(user=user, post_id=PostFactory(author=other_user).pk)
    theirs = only(other_user)
    with pytest.raises(Http404):
        services.notification_mark_read(user=user, notification_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_muting_needs_membership(user, other_user):
    """Muting a chat one is not in is a 404 and changes nothing."""
    from django.http import Http404

    chat = GroupFactory(created_by=other_user)
    with pytest.raises(Http404):
        chats.chat_mute_set(user=user, chat=chat, muted=True)
    assert not Membership.objects.filter(muted=True).exists()


@pytest.mark.parametrize(
    ("gender", "verb"), [("f", "ответила"), ("m", "ответил"), ("", "ответил(а)")]
)
def test_why_line_agrees_with_the_actors_gender_in_russian(gender, verb):
    """In Russian the verb of the "why" line agrees with the gender of the person who acted."""
    from django.utils import translation

    author, replier = UserFactory(), UserFactory(gender=gender)
    chat = DialogFactory(user=author, other=replier)
    original = send(author, chat, "Когда встречаемся?")
    send(replier, chat, "В семь", reply_to=original.pk)
    with translation.override("ru"):
        assert events.describe(only(author)) == f"{replier.display_name} {verb} на ваше сообщение"
