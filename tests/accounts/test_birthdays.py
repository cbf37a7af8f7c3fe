"""Birth dates typed by people, and ages (including 29 February)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.birthdays import BirthDate, age_on, parse_birth_date

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07.04.1990", BirthDate(7, 4, 1990)),
        ("7.4.1990", BirthDate(7, 4, 1990)),
        ("07/04/1990", BirthDate(7, 4, 1990)),
        ("07.04", BirthDate(7, 4, None)),
        ("29.02", BirthDate(29, 2, None)),
        ("29.02.2000", BirthDate(29, 2, 2000)),
        ("1990-04-07", BirthDate(7, 4, 1990)),
        ("  15.03.2026 ", BirthDate(15, 3, 2026)),
        ("", None),
    ],
)
def test_accepted_formats(text, expected):
    """DD.MM.YYYY, DD.MM (no year), slashes and the calendar's ISO format are understood."""
    assert parse_birth_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31.04.1990", "invalid"),
        ("29.02.2001", "invalid"),
        ("32.01", "invalid"),
        ("10.13", "invalid"),
        ("16.03.2026", "future"),
        ("01.01.1899", "too_early"),
        ("1990", "format"),
        ("tomorrow", "format"),
        ("07.04.90", "format"),
    ],
)
def test_refused_dates_say_why(text, code):
    """Impossible days, future dates, very old years and other formats are refused."""
    with pytest.raises(ValidationError) as error:
        parse_birth_date(text, today=TODAY)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (BirthDate(15, 3, 2000), date(2026, 3, 15), 26),
        (BirthDate(16, 3, 2000), date(2026, 3, 15), 25),
        (BirthDate(31, 12, 2000), date(2026, 1, 1), 25),
        # Born on a leap day: a year older on 1 March in common years, on 29 Feb in leap years.
        (BirthDate(29, 2, 2004), date(2025, 2, 28), 20),
        (BirthDate(29, 2, 2004), date(2025, 3, 1), 21),
        (BirthDate(29, 2, 2004), date(2028, 2, 28), 23),
        (BirthDate(29, 2, 2004), date(2028, 2, 29), 24),
        (BirthDate(7, 4, None), date(2026, 3, 15), None),
    ],
)
def test_age(born, today, age):
    """Age counts completed years; no year means no age."""
    assert age_on(born, today) == age
