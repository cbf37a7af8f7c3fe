"""User text to HTML: escape everything, then turn http(s) addresses into links."""

from __future__ import annotations

import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Only http and https: anything else (javascript:, data:, vbscript:) stays plain text.
URL_RE = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,:;!?)]}*"
URL_TEXT_MAX = 80


def _trim(url: str) -> str:
    """Drop punctuation that ends a sentence rather than the address ("see http://x.org.")."""
    while url and url[-1] in TRAILING_PUNCTUATION:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def linkify(text: str) -> SafeString:
    """`text` as safe HTML: escaped, line breaks as <br>, http(s) URLs as links that open in a
    new tab without passing the opener or the referrer."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    parts: list[str] = []
    pos = 0
    for match in URL_RE.finditer(text):
        url = _trim(match.group(0))
        if len(url) <= len("https://"):
            continue
        start = match.start()
        label = url if len(url) <= URL_TEXT_MAX else url[: URL_TEXT_MAX - 1] + "…"
        parts.append(escape(text[pos:start]))
        parts.append(
            format_html(
                '<a href="{}" rel="nofollow noopener noreferrer" target="_blank">{}</a>',
                url,
                label,
            )
        )
        pos = start + len(url)
    parts.append(escape(text[pos:]))
    # Every piece above is escaped or built by format_html: nothing from the user is raw.
    return mark_safe("".join(parts).replace("\n", "<br>\n"))  # noqa: S308
