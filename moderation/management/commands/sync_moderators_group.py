from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from moderation.groups import moderators_group_sync


class Command(BaseCommand):
    help = 'Create the "moderators" group or reset its permissions (safe to repeat).'

    def handle(self, *args, **options) -> None:
        group, count = moderators_group_sync(Group, Permission)
        self.stdout.write(f'Group "{group.name}" has {count} permissions.')
