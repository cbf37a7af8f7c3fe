"""Moderating chats in the Django admin."""

import pytest
from django.urls import reverse

from chats import services
from chats.models import AuditLog, Message
from tests.factories import MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_admin_lists_open_for_staff(client, staff, group, people):
    """Staff can browse chats, messages, attachments and the audit log."""
    MessageFactory(sender=people[0], chat=group)
    client.force_login(staff)
    for model in ("chat", "message", "auditlog", "attachment"):
        assert client.get(reverse(f"admin:chats_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:chats_chat_change", args=[group.pk])).status_code == 200


def test_staff_deletes_a_message_for_everyone_and_it_is_audited(client, staff, group, people):
    """The admin action wipes the message for everyone and logs it in the group's audit log."""
    member = people[2]
    message = MessageFactory(sender=member, chat=group, text="spam")
    client.force_login(staff)
    response = client.post(
        reverse("admin:chats_message_changelist"),
        {"action": "delete_for_everyone", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.text, message.is_deleted) == ("", True)
    entry = AuditLog.objects.get(action="message_deleted")
    assert (entry.actor, entry.target_user) == (staff, member)


def test_non_staff_cannot_moderate(client, group, people):
    """A member is kept out of the admin, and the staff-only service refuses them."""
    member = people[2]
    message = MessageFactory(sender=people[0], chat=group, text="keep")
    client.force_login(member)
    response = client.post(
        reverse("admin:chats_message_changelist"),
        {"action": "delete_for_everyone", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    with pytest.raises(services.Forbidden):
        services.message_remove_by_staff(moderator=member, message_id=message.pk)
    assert Message.objects.get(pk=message.pk).text == "keep"
