"""Issue 14, item 4: an unusable `tz` cookie (a tzdata folder such as `America`, a file that is
not a zone, garbage) is ignored: every page and /healthz answer as without the cookie."""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import pytest

from tests.test_timezone import current_zone_for

pytestmark = pytest.mark.django_db


def _zoneinfo_roots() -> list[Path]:
    roots = [Path(path) for path in zoneinfo.TZPATH if Path(path).is_dir()]
    try:
        import tzdata

        roots.append(Path(tzdata.__file__).parent / "zoneinfo")
    except ImportError:
        pass
    return roots


def _directory_names() -> list[str]:
    """Every folder under every zoneinfo tree Python may read, as a zone name would spell it."""
    names = set()
    for root in _zoneinfo_roots():
        for folder, subfolders, _files in os.walk(root):
            for sub in subfolders:
                names.add(str((Path(folder) / sub).relative_to(root)))
    return sorted(names)


DIRECTORIES = _directory_names()
GARBAGE = [
    "America/",
    "/etc/passwd",
    "../../etc/passwd",
    "Europe/../Europe/Moscow",
    "Europe//Moscow",
    "zone.tab",
    "tzdata.zi",
    "iso3166.tab",
    "leapseconds",
    "__init__.py",
    "\\Europe",
    ".",
    "..",
    "%2e%2e",
    "Europe/Moscow\\x",
    "x" * 64,
]


def test_the_zoneinfo_tree_has_folders():
    """The list below is not empty (so the parametrised test cannot pass by having no cases)."""
    assert {"America", "Europe"} <= set(DIRECTORIES)


@pytest.mark.parametrize("value", DIRECTORIES + GARBAGE)
@pytest.mark.parametrize("url", ["/healthz", "/accounts/login/"])
def test_unusable_tz_cookie_is_ignored(client, url, value):
    """The page answers as it does without the cookie (no 500)."""
    expected = client.get(url).status_code
    client.cookies["tz"] = value
    assert client.get(url).status_code == expected


def test_unusable_tz_cookie_is_ignored_on_a_signed_in_page(user_client):
    """A signed-in page (the feed) renders in the site's zone with a folder name in the cookie."""
    user_client.cookies["tz"] = "America"
    response = user_client.get("/")
    assert response.status_code == 200


def test_a_folder_falls_back_and_a_real_zone_is_still_used(settings):
    """The zone pages render in: the site's for a folder name, the cookie's for a real zone."""
    assert current_zone_for("America") == settings.TIME_ZONE
    assert current_zone_for("America/New_York") == "America/New_York"
