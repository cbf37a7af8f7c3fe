"""Long management commands show their progress on stderr: a live bar on a terminal, one
summary line anywhere else (cron mail, the journal)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from messenger.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_line_is_redrawn_as_work_advances():
    """Each step redraws one line (carriage return), then a newline and the summary."""
    stream = Terminal()
    with Progress(stream, "packs", total=4) as progress:
        for _item in progress.iterate("abcd"):
            pass
    text = stream.getvalue()
    assert "\rpacks [..........." in text  # drawn before the first step
    assert "\rpacks [##########..........] 2/4" in text
    assert "\rpacks [####################] 4/4\n" in text
    assert text.rstrip("\n").endswith(" s") and "packs: 4/4 in " in text


def test_elsewhere_only_a_summary_is_written():
    """Not a terminal: no carriage returns, no bar, just the count and the time at the end."""
    stream = io.StringIO()
    progress = Progress(stream, "digests", total=3)
    with progress:
        progress.advance()
        assert stream.getvalue() == ""
        progress.advance(2)
    assert "\r" not in stream.getvalue() and "#" not in stream.getvalue()
    assert stream.getvalue().startswith("digests: 3/3 in ")


def test_summary_is_written_when_the_work_fails():
    """A command that stops with an error still says how far it got."""
    stream = io.StringIO()
    with pytest.raises(RuntimeError), Progress(stream, "packs", total=5) as progress:
        progress.advance()
        raise RuntimeError
    assert stream.getvalue().startswith("packs: 1/5 in ")


def test_unknown_total_counts_only():
    """Without a total the terminal line shows the count."""
    stream = Terminal()
    with Progress(stream, "rows", total=None) as progress:
        progress.advance(7)
    assert "\rrows 7" in stream.getvalue() and "rows: 7 in " in stream.getvalue()


@pytest.mark.django_db
def test_send_digests_reports_its_progress_on_stderr(user):
    """send_digests counts the people it went through on stderr; stdout keeps its summary."""
    from tests.notifications.test_digests import liked, wants_digest

    wants_digest(user)
    liked(user)
    out, err = io.StringIO(), io.StringIO()
    call_command("send_digests", stdout=out, stderr=err)
    assert "sent 1 digest(s), 0 failed" in out.getvalue()
    assert err.getvalue().startswith("digests: 1/1 in ")


@pytest.mark.django_db
def test_load_sticker_packs_and_seed_demo_report_their_progress(settings):
    """The sticker packs and the demo data count their packs and steps on stderr."""
    err = io.StringIO()
    call_command("load_sticker_packs", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("sticker packs: ")
    packs = err.getvalue().split(": ", 1)[1].split(" ", 1)[0]
    done, total = packs.split("/")
    assert done == total and int(total) > 0

    settings.DEBUG = True
    err = io.StringIO()
    call_command("seed_demo", stdout=io.StringIO(), stderr=err)
    done, total = err.getvalue().split(": ", 1)[1].split(" ", 1)[0].split("/")
    assert done == total and int(total) > 1
