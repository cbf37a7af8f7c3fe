"""Social pages: feed, friends, search, profile wall, posts, the discussion board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import user_get_visible
from social import selectors, services


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (`next`), if it is ours; else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target)


def _page(request: HttpRequest, items, per_page: int = selectors.PAGE_SIZE):
    """The requested page of `items` (a missing or bad page number gives the nearest page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# -- friends ------------------------------------------------------------------------------------
FRIEND_ACTIONS = {
    "request": lambda me, person: services.friend_request_send(from_user=me, to_user=person),
    "cancel": lambda me, person: services.friend_request_cancel(from_user=me, to_user=person),
    "accept": lambda me, person: services.friend_request_accept(user=me, from_user=person),
    "decline": lambda me, person: services.friend_request_decline(user=me, from_user=person),
    "remove": lambda me, person: services.friendship_remove(user=me, friend=person),
}


@login_required
@require_GET
def friends(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "friends")
    if tab not in selectors.FRIEND_LISTS:
        tab = "friends"
    page = _page(request, selectors.FRIEND_LISTS[tab](request.user))
    people = selectors.people_with_relations(request.user, page.object_list)
    return render(
        request,
        "social/friends.html",
        {
            "tab": tab,
            "page": page,
            "people": people,
            "counts": selectors.friend_list_counts(request.user),
        },
    )


@login_required
@require_POST
def friend_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    """Send, cancel, accept or decline a request, or remove a friend; then show the button."""
    if action not in FRIEND_ACTIONS:
        raise Http404
    person = user_get_visible(request.user, username)
    error = None
    try:
        FRIEND_ACTIONS[action](request.user, person)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        person.relation = selectors.relation_between(request.user, person)
        return render(
            request,
            "social/_friend_button.html",
            {"person": person, "error": error, "next_url": request.htmx.current_url_abs_path},
        )
    if error:
        messages.error(request, error)
    return _redirect_back(request, reverse("social:wall", args=[person.username]))


@login_required
@require_GET
def friend_request_count(request: HttpRequest) -> JsonResponse:
    """The navigation badge's number, fetched whenever the socket (re)connects."""
    return JsonResponse({"incoming": selectors.incoming_request_count(request.user)})


# -- search -------------------------------------------------------------------------------------
@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    error = None
    page = people = None
    if len(query) > selectors.SEARCH_MAX_LENGTH:
        error = _("The search text is too long (at most %(limit)d characters).") % {
            "limit": selectors.SEARCH_MAX_LENGTH
        }
    elif query:
        page = _page(request, selectors.search_people(request.user, query))
        people = selectors.people_with_relations(request.user, page.object_list)
    return render(
        request,
        "social/search.html",
        {
            "q": query[: selectors.SEARCH_MAX_LENGTH],
            "page_query": urlencode({"q": query}) + "&",
            "error": error,
            "page": page,
            "people": people,
        },
        status=400 if error else 200,
    )


# -- profile wall -------------------------------------------------------------------------------
@login_required
@require_GET
def wall(request: HttpRequest, username: str) -> HttpResponse:
    """A person's friend button, mutual friends and wall (the profile page includes the same)."""
    person = user_get_visible(request.user, username)
    context = {"person": person, **selectors.profile_social_context(request.user, person)}
    return render(request, "social/wall.html", context)


# -- feed and board (filled in below) -----------------------------------------------------------
@login_required
def feed(request: HttpRequest) -> HttpResponse:
    return render(request, "social/feed.html", {})


@login_required
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "social/board.html", {})
