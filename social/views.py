"""Social pages: feed, friends, search, discussion board."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    return render(request, "social/feed.html", {})


@login_required
def friends(request: HttpRequest) -> HttpResponse:
    return render(request, "social/friends.html", {})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    return render(request, "social/search.html", {"q": request.GET.get("q", "")})


@login_required
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "social/board.html", {})
