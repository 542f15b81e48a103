"""Evidence text for the explorer: a Markdown sentence as text/link segments (no Markdown and no
non-http link reaches the page), the sentence around a mention, and how informative a sentence is."""

from __future__ import annotations

import re

EVIDENCE_CHARS = 280  # characters of a quoted sentence


_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\)")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]]+")
_MARKUP = [
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE), ""),  # heading marks
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE), ""),  # list markers
    (re.compile(r"^\s*>\s?", re.MULTILINE), ""),  # quotes
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?!\w)"), r"\1"),  # italics
    (re.compile(r"`([^`\n]*)`"), r"\1"),  # code
    (re.compile(r"<[^<>\n]{1,200}>"), ""),  # inline HTML tags (shown as text, never parsed)
]


_STRAY_EMPHASIS = re.compile(r"\*\*|__|(?<=\s)\*(?=\s|$)|^\*(?=\s)")


def safe_url(url: str) -> str:
    """Only http(s) URLs become links: a javascript: or data: URL in issue text must not."""
    return url if re.match(r"(?i)^https?://[^\s\"'<>]+$", url or "") else ""


def segments(text: str, limit: int = EVIDENCE_CHARS) -> list[list[str]]:
    """A Markdown sentence as ``[text]`` and ``[anchor, url]`` segments: links kept as links (http(s)
    only), headings' ``###``, list markers, emphasis and code marks removed, cut at ``limit`` characters."""
    out: list[list[str]] = []
    used = 0
    pos = 0
    text = " ".join(text.split()) if "\n" not in text.strip() else text.strip()

    def plain(chunk: str) -> None:
        for pattern, replacement in _MARKUP:
            chunk = pattern.sub(replacement, chunk)
        chunk = _STRAY_EMPHASIS.sub("", chunk)  # the halves of **[a link](…)**, split by the link
        chunk = " ".join(chunk.split()) if chunk.strip() else (" " if chunk else "")
        if chunk:
            out.append([chunk])

    for m in _LINK.finditer(text):
        plain(text[pos : m.start()])
        anchor = m.group(1).strip() or m.group(2)
        for pattern, replacement in _MARKUP[3:]:
            anchor = pattern.sub(replacement, anchor)
        url = safe_url(m.group(2))
        out.append([anchor, url] if url else [anchor])
        pos = m.end()
    plain(text[pos:])
    # Join neighbouring text pieces, trim, and cut to the limit.
    joined: list[list[str]] = []
    for seg in out:
        if joined and len(seg) == 1 and len(joined[-1]) == 1:
            joined[-1][0] += seg[0] if seg[0].startswith((" ", ",", ".", ";", ":", ")")) else " " + seg[0]
        elif joined and len(seg) == 2 and len(joined[-1]) == 1 and not joined[-1][0].endswith((" ", "(")):
            joined[-1][0] += " "
            joined.append(seg)
        else:
            if joined and len(joined[-1]) == 2 and len(seg) == 1 and not seg[0].startswith((" ", ",", ".", ";", ":")):
                seg = [" " + seg[0]]
            joined.append(seg)
    result: list[list[str]] = []
    for seg in joined:
        room = limit - used
        if room <= 0:
            break
        if len(seg[0]) > room:
            seg = [seg[0][: room - 1].rstrip() + "…", *seg[1:]]
        result.append(seg)
        used += len(seg[0])
    if result:
        result[0][0] = result[0][0].lstrip()
        result[-1][0] = result[-1][0].rstrip()
    return [s for s in result if s[0]]


_SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s+(?=[\"'(\[*A-Z0-9\u3400-\u9fff])")


def sentence_around(text: str, anchor: str) -> str:
    """The sentence of ``text`` that holds ``anchor`` (the whole text when it is one, or when the anchor
    is not found); a Markdown link is never split."""
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        before = text[start : m.start()]
        if before.count("[") > before.count("]") or before.count("(") > before.count(")"):
            continue  # inside a link or a parenthesis
        pieces.append(before)
        start = m.end()
    pieces.append(text[start:])
    if len(pieces) == 1:
        return text
    for piece in pieces:
        if anchor and anchor in piece:
            return piece
    return pieces[0]


_BOILERPLATE = re.compile(
    r"^(no |none|nothing|n/a|tbd|this week|last week|see (also|below|above))|shoutouts?\b|subscribe|unsubscribe",
    re.IGNORECASE,
)


def sentence_score(text: str, others: int) -> float:
    """How much a sentence tells about the entity: other entities it names, its length (short lines
    and headings say little; very long ones are lists), minus boilerplate."""
    plain = "".join(s[0] for s in segments(text, 10_000))
    words = len(plain.split())
    score = 2.0 * min(others, 4)
    score += min(words, 30) / 10.0 - (2.0 if words < 6 else 0.0) - (1.0 if words > 80 else 0.0)
    if _BOILERPLATE.search(plain):
        score -= 5.0
    if text.lstrip().startswith("#"):
        score -= 1.0  # a heading names a thing; a sentence says something about it
    return score
