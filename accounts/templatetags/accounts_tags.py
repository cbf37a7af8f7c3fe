"""Template helpers for people: presence ("last seen …") and birthdays.

`{% load accounts_tags %}` then `{% last_seen person online %}`,
`{% last_seen_today_pattern person %}` and `{% birth_date person %}`; other apps may use them.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User

register = template.Library()


def _when(moment, today: date) -> str:
    local = timezone.localtime(moment)
    time = time_format(local, "H:i")
    if local.date() == today:
        return _("today at %(time)s") % {"time": time}
    if local.date() == today - timedelta(days=1):
        return _("yesterday at %(time)s") % {"time": time}
    if local.year == today.year:
        return _("%(date)s at %(time)s") % {"date": date_format(local, "j E"), "time": time}
    return date_format(local, "j E Y")


@register.simple_tag
def last_seen(person: User, online: bool = False) -> str:
    """ "online", or when the person was last seen, agreeing with their gender in Russian."""
    if online:
        return _("online")
    if person.last_seen is None:
        return ""
    return _gendered_last_seen(person, _when(person.last_seen, timezone.localdate()))


@register.simple_tag
def last_seen_today_pattern(person: User) -> str:
    """ "She was last seen today at {time}": the browser fills {time} when presence changes."""
    return _gendered_last_seen(person, _("today at %(time)s") % {"time": "{time}"})


def _gendered_last_seen(person: User, when: str) -> str:
    if person.gender == User.Gender.FEMALE:
        return _("She was last seen %(when)s") % {"when": when}
    if person.gender == User.Gender.MALE:
        return _("He was last seen %(when)s") % {"when": when}
    return _("Last seen %(when)s") % {"when": when}


@register.simple_tag
def birth_date(person: User) -> str:
    """ "12 March 1990 (34 years old)", or "12 March" when the year is not given."""
    born = person.birth_date
    if born is None:
        return ""
    if born.year is None:
        return date_format(date(2000, born.month, born.day), "j E")
    age = person.age
    return _("%(date)s (%(age)s)") % {
        "date": date_format(date(born.year, born.month, born.day), "j E Y"),
        "age": ngettext("%(age)d year old", "%(age)d years old", age) % {"age": age},
    }
