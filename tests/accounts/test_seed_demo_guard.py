"""Issue 14, item 6: seed_demo makes a superuser with the password printed in the docs, so it
refuses to run with DEBUG off unless told explicitly (`--insecure-demo`)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_with_debug_off(settings):
    """DEBUG=false: a clear error naming the flag, and no account is created."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--insecure-demo"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_seed_demo_runs_in_development(settings):
    """DEBUG=true (make run): the demo accounts, the superuser among them, are created."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    assert get_user_model().objects.filter(username="admin", is_superuser=True).exists()


def test_seed_demo_with_the_explicit_flag_runs_with_debug_off(settings):
    """The operator who really wants demo data on a DEBUG=false stack can say so."""
    settings.DEBUG = False
    call_command("seed_demo", "--insecure-demo", stdout=io.StringIO())
    assert get_user_model().objects.filter(username="admin").exists()
