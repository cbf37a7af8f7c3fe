"""manage.py export_user / export_chat / purge_exports."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from exports.models import DataExport
from tests.exports.conftest import open_archive
from tests.factories import UserFactory


def test_export_user_by_username_writes_archive_with_progress(late_join, tmp_path):
    """The command writes the ZIP and draws a text progress bar up to 100% on stderr."""
    target = tmp_path / "anna.zip"
    out, err = io.StringIO(), io.StringIO()
    call_command("export_user", late_join.anna.username, output=str(target), stdout=out, stderr=err)
    found = open_archive(target.read_bytes())
    assert "before carol joined" in found.texts()
    assert "\r[####################] 100%" in err.getvalue()
    assert str(target) in out.getvalue()


def test_export_user_by_email_sees_what_the_user_sees(late_join, tmp_path):
    """By email too, and the same visibility as the page: carol gets no earlier messages."""
    target = tmp_path / "carol.zip"
    call_command(
        "export_user",
        late_join.carol.email,
        output=str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert open_archive(target.read_bytes()).texts() == {"welcome carol"}


def test_export_user_unknown(db, tmp_path):
    """An unknown user is a clear error."""
    with pytest.raises(CommandError, match="no active user"):
        call_command("export_user", "nobody", output=str(tmp_path / "x.zip"))


def test_export_chat_as_member(late_join, tmp_path):
    """A chat archive as a member sees it."""
    target = tmp_path / "chat.zip"
    call_command(
        "export_chat",
        str(late_join.chat.pk),
        "--as",
        late_join.carol.username,
        output=str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    found = open_archive(target.read_bytes())
    assert found.chat_ids() == {late_join.chat.pk} and found.texts() == {"welcome carol"}


def test_export_chat_as_non_member_is_refused(late_join, tmp_path):
    """Not a member: an error, and no file is left behind."""
    target = tmp_path / "chat.zip"
    outsider = UserFactory()
    with pytest.raises(CommandError, match="not a member"):
        call_command(
            "export_chat",
            str(late_join.chat.pk),
            "--as",
            outsider.username,
            output=str(target),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not target.exists()


def test_purge_exports_command(db, user):
    """The housekeeping command reports what it did."""
    DataExport.objects.create(requester=user, kind=DataExport.Kind.USER)
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "deleted 0 expired export(s), marked 0 interrupted" in out.getvalue()
