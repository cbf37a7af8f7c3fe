"""Moderators see background tasks and retry failed ones (moderation/groups.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync_group(apps, schema_editor):
    from moderation.groups import moderators_group_sync

    # Permissions are normally created after all migrations ran; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    moderators_group_sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_moderators_group"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("django_rq", "0003_alter_dashboard_permission_names"),
    ]

    operations = [migrations.RunPython(sync_group, migrations.RunPython.noop)]
