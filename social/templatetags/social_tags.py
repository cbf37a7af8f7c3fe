"""Template helpers for social pages: `{% load social_tags %}`."""

from django import template

from social.text import highlight as highlight_text
from social.text import linkify as linkify_text
from social.text import snippet as snippet_text

register = template.Library()


@register.filter(is_safe=True)
def linkify(text: str):
    """User text as escaped HTML with clickable http(s) links (see social.text.linkify)."""
    return linkify_text(text)


@register.filter(is_safe=True)
def highlight(text: str, words: list[str]):
    """User text as escaped HTML with the search words in <mark> (see social.text.highlight)."""
    return highlight_text(text, words)


@register.filter(is_safe=True)
def snippet(text: str, words: list[str]):
    """A one-line excerpt around the first search match, highlighted (social.text.snippet)."""
    return snippet_text(text, words)
