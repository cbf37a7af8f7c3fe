"""Account pages beyond allauth's: profile page and profile editing."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import selectors


@login_required
def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = selectors.user_get_visible(request.user, username)
    return render(request, "accounts/profile.html", {"person": person})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile_edit.html", {})
