"""XSS payloads, each calling `__xss(<its number>)` if it ever runs.

Vectors: script tags, event handlers on many elements, javascript: URLs, attribute and tag
breakouts (quotes, </textarea>, </title>, </script>), template-looking text, entity and
percent encoded forms, nested tags that fool naive filters, links that the linkifier sees.
Each vector comes with a few prefixes so that position in the text varies too.
"""

from __future__ import annotations

VECTORS = [
    "<script>__xss({n})</script>",
    "<img src=x onerror=__xss({n})>",
    "<svg onload=__xss({n})>",
    "<svg><script>__xss({n})</script></svg>",
    '<iframe srcdoc="<script>parent.__xss({n})</script>"></iframe>',
    '<a href="javascript:__xss({n})">link{n}</a>',
    "<body onload=__xss({n})>",
    "<details open ontoggle=__xss({n})>",
    "<input autofocus onfocus=__xss({n})>",
    "<video><source onerror=__xss({n})></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>",
    '"><img src=x onerror=__xss({n})>',
    "'><img src=x onerror=__xss({n})>",
    "</textarea><img src=x onerror=__xss({n})>",
    "</title><img src=x onerror=__xss({n})>",
    "</script><img src=x onerror=__xss({n})>",
    "{{{{constructor.constructor('__xss({n})')()}}}}",
    "javascript:__xss({n})",
    '" onmouseover="__xss({n})" x="',
    "' onfocus='__xss({n})' autofocus='",
    '<object data="javascript:__xss({n})"></object>',
    "<form><button formaction=javascript:__xss({n})>go{n}</button></form>",
    "<marquee onstart=__xss({n})>",
    "<img src=x onerror=&#95;&#95;xss({n})>",
    "<scr<script>ipt>__xss({n})</scr</script>ipt>",
    "&lt;script&gt;__xss({n})&lt;/script&gt;",
    "<style>*{{background:url('javascript:__xss({n})')}}</style>",
    '<base href="javascript:__xss({n})//">',
    '<meta http-equiv="refresh" content="0;url=javascript:__xss({n})">',
    'http://example.org/"onmouseover="__xss({n})',
    "https://example.org/<img src=x onerror=__xss({n})>",
    '<div style="x:expression(__xss({n}))" onclick=__xss({n})>',
    '<noscript><p title="</noscript><img src=x onerror=__xss({n})>">',
    "<!--<img src=--><img src=x onerror=__xss({n})//>",
]
PREFIXES = ["", "hello ", "\n", "«", "`", "<b>"]

PAYLOADS = [
    prefix + vector.format(n=index * len(PREFIXES) + shift)
    for index, vector in enumerate(VECTORS)
    for shift, prefix in enumerate(PREFIXES)
]


def chunks(limit: int, payloads: list[str] = PAYLOADS) -> list[str]:
    """The payloads joined into as few texts of at most `limit` characters as possible."""
    texts, current = [], ""
    for payload in payloads:
        if current and len(current) + 1 + len(payload) > limit:
            texts.append(current)
            current = ""
        current = f"{current}\n{payload}" if current else payload
    return [*texts, current] if current else texts
