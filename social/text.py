"""User text to HTML: escape everything, then turn http(s) addresses into links."""

from __future__ import annotations

import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from messenger.search import normalise

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


# -- search results ------------------------------------------------------------------------------
SNIPPET_LENGTH = 240
SNIPPET_LEAD = 60


def _folded_positions(text: str) -> tuple[str, list[int]]:
    """`text` folded as search folds it, and for each folded character the index of the
    original character it came from (lower() may lengthen a character: "İ" → "i̇")."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded_char in normalise(char):
            folded.append(folded_char)
            origin.append(index)
    return "".join(folded), origin


def _matches(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Merged [start, end) ranges of `text` where any of the folded `words` occurs."""
    folded, origin = _folded_positions(text)
    ranges = []
    for word in filter(None, words):
        start = folded.find(word)
        while start != -1:
            end = start + len(word)
            ranges.append((origin[start], origin[end - 1] + 1))
            start = folded.find(word, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, words: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of the folded search `words` in <mark>."""
    text = text or ""
    parts: list[str] = []
    pos = 0
    for start, end in _matches(text, words):
        parts.append(escape(text[pos:start]))
        parts.append(format_html("<mark>{}</mark>", text[start:end]))
        pos = end
    parts.append(escape(text[pos:]))
    # Every piece is escaped or built by format_html: nothing from the user is raw.
    return mark_safe("".join(parts))  # noqa: S308


def snippet(text: str, words: list[str], *, length: int = SNIPPET_LENGTH) -> SafeString:
    """About `length` characters of `text` on one line around the first match of `words`,
    with "…" where it was cut, highlighted as by highlight()."""
    text = " ".join((text or "").split())
    matches = _matches(text, words)
    start = max(0, matches[0][0] - SNIPPET_LEAD) if matches else 0
    if start and " " in text[start : start + 20]:
        start = text.index(" ", start) + 1  # begin at a word, not inside one
    end = min(len(text), start + length)
    if end < len(text) and " " in text[end - 20 : end]:
        end = text.rindex(" ", 0, end)
    body = highlight(text[start:end], words)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S308
