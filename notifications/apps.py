from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        """Answer the social and chat hooks with notifications."""
        from chats import hooks as chat_hooks
        from messenger.tasks import schedule
        from notifications import services, tasks
        from social import hooks as social_hooks

        for hook, receiver in (
            (social_hooks.friend_request_sent, services.notify_friend_request),
            (social_hooks.friend_request_withdrawn, services.notify_friend_request_withdrawn),
            (social_hooks.friend_request_accepted, services.notify_friend_accepted),
            (social_hooks.friend_request_declined, services.notify_friend_request_answered),
            (social_hooks.post_liked, services.notify_post_liked),
            (social_hooks.comment_created, services.notify_comment_created),
            (chat_hooks.message_sent, services.notify_message_sent),
            (chat_hooks.members_added, services.notify_group_added),
            (chat_hooks.call_missed, services.notify_call_missed),
        ):
            hook.connect(receiver)

        if settings.DIGEST_HOURS:
            schedule.register(
                "notifications.send_digests", tasks.send_digests, every=settings.DIGEST_HOURS * 3600
            )
