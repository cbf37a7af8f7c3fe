"""Members added to a group before this release see its history from their joining on, like
members added from now on (chats.services.chat_members_add): the history floor and the read
mark move up to the change just before their last `member.added`."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Greatest


def floor_at_join(apps, schema_editor):
    ChatEvent = apps.get_model("chats", "ChatEvent")
    Membership = apps.get_model("chats", "Membership")
    joined = (
        ChatEvent.objects.filter(
            chat_id=OuterRef("chat_id"), target_id=OuterRef("user_id"), type="member.added"
        )
        .order_by()
        .values("chat_id")
        .annotate(seq=Max("seq"))
        .values("seq")
    )
    added = Membership.objects.filter(
        chat__kind="group", user__in=ChatEvent.objects.filter(type="member.added").values("target")
    ).annotate(joined_seq=Subquery(joined))
    for membership in added.exclude(joined_seq=None).iterator():
        floor = membership.joined_seq - 1
        if floor > membership.cleared_seq or floor > membership.last_read_seq:
            Membership.objects.filter(pk=membership.pk).update(
                cleared_seq=Greatest("cleared_seq", floor),
                last_read_seq=Greatest("last_read_seq", floor),
            )


class Migration(migrations.Migration):
    dependencies = [("chats", "0006_membership_muted")]

    operations = [migrations.RunPython(floor_at_join, migrations.RunPython.noop)]
