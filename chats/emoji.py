"""The reaction picker: emoji grouped by category. Reactions outside this set are refused."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CATEGORIES: list[tuple[str, object, list[str]]] = [
    (
        "smileys",
        _("Smileys"),
        [
            "😀",
            "😂",
            "🤣",
            "😊",
            "😍",
            "🥰",
            "😘",
            "😎",
            "🤔",
            "😮",
            "😢",
            "😭",
            "😡",
            "🥳",
            "😴",
            "🤯",
        ],
    ),
    (
        "gestures",
        _("Gestures"),
        ["👍", "👎", "👏", "🙌", "🙏", "🤝", "👌", "✌️", "🤞", "💪", "👋", "🫶"],
    ),
    (
        "hearts",
        _("Hearts"),
        ["❤️", "🧡", "💛", "💚", "💙", "💜", "🖤", "🤍", "💔", "💯"],
    ),
    (
        "nature",
        _("Animals and nature"),
        ["🐱", "🐶", "🦊", "🐻", "🐼", "🦄", "🌸", "🌻", "🌈", "⭐", "🔥", "❄️"],
    ),
    (
        "food",
        _("Food"),
        ["☕", "🍵", "🍕", "🍰", "🍎", "🍓", "🍺", "🍷"],
    ),
    (
        "objects",
        _("Objects"),
        ["🎉", "🎁", "📌", "💡", "📎", "📷", "🎵", "⚽", "🏆", "🚀"],
    ),
    (
        "symbols",
        _("Symbols"),
        ["✅", "❌", "❓", "❗", "➕", "👀", "💤", "🆗"],
    ),
]

ALLOWED: frozenset[str] = frozenset(e for _key, _label, items in CATEGORIES for e in items)


def picker() -> list[dict]:
    """Categories for the picker template: key, translated label and emoji."""
    return [{"key": key, "label": label, "emoji": items} for key, label, items in CATEGORIES]
