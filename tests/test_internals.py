"""Every library internal listed in messenger/internals.py still behaves as the code expects,
on the exact version it was checked against."""

import pytest

from messenger.internals import INTERNALS


@pytest.mark.parametrize("internal", INTERNALS, ids=lambda internal: internal.what[:60])
def test_internal_still_holds(internal):
    """The internal exists and has the shape its call site relies on."""
    internal.check()


@pytest.mark.parametrize("internal", INTERNALS, ids=lambda internal: internal.what[:60])
def test_internal_checked_against_the_installed_version(internal):
    """An upgrade of the library fails here until someone re-reads the internal's code."""
    assert internal.installed == internal.checked, (
        f"{internal.package} is {internal.installed}, but {internal.what} (used in "
        f"{internal.used_in}) was checked against {internal.checked}: re-read it, then bump "
        "`checked` in messenger/internals.py"
    )
