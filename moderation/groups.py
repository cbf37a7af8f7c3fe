"""The "moderators" group: staff who are not superusers get only what moderation needs."""

from __future__ import annotations

MODERATORS_GROUP = "moderators"

# (app label, codename). Viewing what reports point at, removing content, warning and
# suspending; never changing accounts (a change_user holder could grant staff rights).
MODERATOR_PERMISSIONS = [
    ("moderation", "view_report"),
    ("moderation", "change_report"),
    ("moderation", "view_moderationaction"),
    ("moderation", "view_notice"),
    ("moderation", "warn_user"),
    ("moderation", "suspend_user"),
    ("accounts", "view_user"),
    ("accounts", "view_block"),
    ("accounts", "view_avatar"),
    ("social", "view_post"),
    ("social", "delete_post"),
    ("social", "view_postphoto"),
    ("social", "view_comment"),
    ("social", "delete_comment"),
    ("social", "view_topic"),
    ("social", "delete_topic"),
    ("social", "view_topicphoto"),
    ("social", "view_reply"),
    ("social", "delete_reply"),
    ("social", "view_replyphoto"),
    ("chats", "view_chat"),
    ("chats", "view_message"),
    ("chats", "view_attachment"),
    ("chats", "view_auditlog"),
    # Background tasks: see queued, running and failed ones and retry a failed one (the
    # database backend's list, django-rq's dashboard with RQ).
    ("django_tasks_database", "view_dbtaskresult"),
    ("django_tasks_database", "change_dbtaskresult"),
    ("django_rq", "admin"),
]


def moderators_group_sync(group_model, permission_model) -> tuple[object, int]:
    """Create the group if missing and give it exactly MODERATOR_PERMISSIONS (idempotent).
    Takes the models so a data migration can pass its historical ones. Returns the group and
    how many permissions it has."""
    group, _created = group_model.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = []
    for app_label, codename in MODERATOR_PERMISSIONS:
        wanted.extend(
            permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    group.permissions.set(wanted)
    return group, len(wanted)
