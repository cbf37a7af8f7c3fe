"""Birth dates with an optional year: parsing what people type, and ages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST_YEAR = 1900
# A leap year, so 29.02 is accepted when the year is not given.
_LEAP_YEAR = 2000

_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class BirthDate:
    day: int
    month: int
    year: int | None = None


def parse_birth_date(text: str, *, today: date) -> BirthDate | None:
    """`DD.MM.YYYY`, `DD.MM` or ISO `YYYY-MM-DD` → BirthDate; blank → None.

    Raises ValidationError with a message a person can act on.
    """
    text = text.strip()
    if not text:
        return None
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else None
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValidationError(
            _("Enter the date as DD.MM.YYYY, or DD.MM to keep the year to yourself."),
            code="format",
        )
    return validate_birth_date(BirthDate(day, month, year), today=today)


def validate_birth_date(value: BirthDate, *, today: date) -> BirthDate:
    """Check that the day exists and lies in the past; raises ValidationError."""
    try:
        born = date(value.year or _LEAP_YEAR, value.month, value.day)
    except ValueError:
        raise ValidationError(_("There is no such day in the calendar."), code="invalid") from None
    if value.year is not None:
        if value.year < EARLIEST_YEAR:
            raise ValidationError(
                _("Enter a year from %(year)s on.") % {"year": EARLIEST_YEAR}, code="too_early"
            )
        if born > today:
            raise ValidationError(_("A birth date cannot be in the future."), code="future")
    return value


def birth_date_from_parts(
    day: int | None, month: int | None, year: int | None, *, today: date
) -> BirthDate | None:
    """A birth date given as separate day, month and year (the REST API's shape): None when
    day and month are both empty; raises ValidationError keyed by the part at fault."""
    if day is None and month is None:
        if year is not None:
            raise ValidationError(
                {"birth_year": _("A birth year needs the day and the month too.")}, code="partial"
            )
        return None
    if day is None or month is None:
        missing = "birth_day" if day is None else "birth_month"
        raise ValidationError(
            {missing: _("Give the day and the month of birth together.")}, code="partial"
        )
    try:
        return validate_birth_date(BirthDate(day, month, year), today=today)
    except ValidationError as error:
        part = "birth_year" if error.code in ("too_early", "future") else "birth_day"
        raise ValidationError({part: error.messages}) from None


def age_on(value: BirthDate, today: date) -> int | None:
    """Completed years on `today`, or None without a year.

    Someone born on 29 February turns a year older on 1 March in common years.
    """
    if value.year is None:
        return None
    had_birthday = (today.month, today.day) >= (value.month, value.day)
    return today.year - value.year - (0 if had_birthday else 1)
