"""The matrix covers every endpoint: a new URL, API operation or frame type without a line in
tests/security/matrix.py fails here (and a line for something that no longer exists, too)."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import messenger.realtime.consumer  # noqa: F401  (registers `ping`)
from messenger.api import api
from messenger.realtime.frames import registered_types
from tests.security.matrix import API, FRAMES, HTTP, HTTP_SKIPPED, names_pre_join
from tests.security.world import ACTORS


def url_patterns(resolver: URLResolver | None = None, prefix: str = ""):
    """(route, name) of every URL pattern, with namespaces ("chats:detail")."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = entry.namespace
            for sub_route, name in url_patterns(entry, route):
                yield sub_route, f"{namespace}:{name}" if namespace and name else name
        elif isinstance(entry, URLPattern):
            yield route, entry.name


def matrix_candidates() -> tuple[set[str], list[str]]:
    """URL names the matrix must cover, and routes that are neither covered nor skipped."""
    names, unnamed = set(), []
    for route, name in url_patterns():
        route = route.lstrip("^")
        if any(route.startswith(prefix) for prefix in HTTP_SKIPPED):
            continue
        if name is None:
            unnamed.append(route)
        else:
            names.add(name)
    return names, unnamed


def test_every_url_pattern_has_a_row():
    """Every view outside admin/allauth/API/static has a line in HTTP, and every line exists."""
    names, unnamed = matrix_candidates()
    assert unnamed == [], "name these URL patterns so the matrix can key them"
    assert sorted(names - set(HTTP)) == [], "add these views to tests/security/matrix.py HTTP"
    assert sorted(set(HTTP) - names) == [], "these HTTP rows name no URL pattern"


def test_every_api_operation_has_a_row():
    """Every operation of the OpenAPI schema has a line in API, and every line exists."""
    schema = api.get_openapi_schema()
    operations = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    assert sorted(operations - set(API)) == [], "add these operations to matrix.API"
    assert sorted(set(API) - operations) == [], "these API rows name no operation"


def test_every_frame_type_has_a_row():
    """Every client frame type a handler is registered for has a line in FRAMES."""
    types = set(registered_types())
    assert sorted(types - set(FRAMES)) == [], "add these frame types to matrix.FRAMES"
    assert sorted(set(FRAMES) - types) == [], "these FRAMES rows name no handler"


@pytest.mark.parametrize("table", [HTTP, API, FRAMES], ids=["http", "api", "frames"])
def test_rows_name_only_known_actors(table):
    """A typo in an allow list would silently deny someone: every name must be an actor."""
    for key, row in table.items():
        assert row.allowed <= set(ACTORS), key
        assert row.readers <= set(ACTORS), key


@pytest.mark.parametrize("table", [HTTP, API, FRAMES], ids=["http", "api", "frames"])
def test_rows_about_older_objects_refuse_the_late_joiner(table):
    """A row naming the group's message or file from before "late" joined must refuse them
    (and may not show them its secret): a new row cannot let the late joiner below the floor."""
    for key, row in table.items():
        if names_pre_join(row):
            assert "late" not in row.allowed | row.readers, key


def _cases(table: dict) -> int:
    # Every actor on every row (anonymous included: for frames it is the refused handshake),
    # plus each allowed actor again with each swappable id of the stranger's, plus "late" again
    # with their own objects from after joining where the row names an older one.
    return sum(
        len(ACTORS) + len(row.swap) * len(row.allowed) + names_pre_join(row)
        for row in table.values()
    )


def case_counts() -> dict[str, int]:
    """How many cases the matrix runs, per table and in all (docs/security.md quotes these)."""
    counts = {"html": _cases(HTTP), "api": _cases(API), "frames": _cases(FRAMES)}
    return {**counts, "total": sum(counts.values())}


def test_case_count_is_reported():
    """docs/security.md quotes this figure; it grows with every row."""
    counts = case_counts()
    print(f"authorization matrix: {counts}")
    assert counts["total"] >= 1000
