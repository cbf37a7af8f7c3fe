"""The authorization matrix over HTTP: every HTML view and every API operation, every actor.

Cases come from tests/security/matrix.py; what is checked is in tests/security/http_cases.py:
allowed actors succeed, everyone else is refused with nothing changed, nothing published and
no secret text in the response; ids of the stranger's objects swapped into allowed requests
are refused as well.
"""

from __future__ import annotations

import pytest

from tests.security.http_cases import run_case
from tests.security.matrix import API, HTTP, late_allowed_after_join, late_ids, names_pre_join
from tests.security.world import ACTORS


def _run_row(world, clients, row, *, api: bool) -> dict[str, list]:
    failures = {}
    for actor in ACTORS:
        if problems := run_case(world, clients, row, actor, api=api):
            failures[actor] = problems
    for key in row.swap:
        ids = {**world.ids, key: world.foreign[key]}
        for actor in sorted(row.allowed):
            if problems := run_case(world, clients, row, actor, api=api, ids=ids):
                failures[f"{actor} with the stranger's {key}"] = problems
    if names_pre_join(row):
        # Refused above with the group's older objects; with their own later ones "late" is
        # a member like any other.
        allowed = late_allowed_after_join(row)
        ids = late_ids(world.ids)
        if problems := run_case(world, clients, row, "late", api=api, ids=ids, allowed=allowed):
            failures["late with objects from after joining"] = problems
    return failures


@pytest.mark.parametrize("name", sorted(HTTP))
def test_html_view_authorization(name, world, clients):
    """Each actor gets what the matrix says for this page or form, and no more."""
    assert _run_row(world, clients, HTTP[name], api=False) == {}


@pytest.mark.parametrize("operation", sorted(API))
def test_api_operation_authorization(operation, world, clients):
    """Each actor gets what the matrix says for this API operation, and no more."""
    assert _run_row(world, clients, API[operation], api=True) == {}
