from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = _("Social")

    def ready(self) -> None:
        from accounts import relations
        from accounts.demo import DEMO_STEPS
        from messenger import search
        from social import demo, selectors, services

        relations.register(
            relations.FriendGraph(
                are_friends=selectors.are_friends,
                friend_ids=selectors.friend_ids,
                unlink=services.friendships_end_between,
                forget=services.friendships_forget,
                profile_context=selectors.profile_social_context,
            )
        )
        DEMO_STEPS.append(demo.seed)
        search.connect_signals()
