"""Parsing of post text: mentions, hashtags and links, rendered to safe HTML."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3

MENTION_RE = re.compile(r"(?<![\w/@])@([A-Za-z0-9_]{1,30})(?:@([A-Za-z0-9.\-]+\.[A-Za-z]{2,}))?")
HASHTAG_RE = re.compile(r"(?<![\w/&#])#(\w{1,100})", re.UNICODE)
URL_RE = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)

ALLOWED_TAGS = {"p", "br", "a", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "class", "rel", "target"}, "span": {"class"}}


@dataclass
class ParsedText:
    html: str
    mentions: list[str] = field(default_factory=list)  # local usernames, lower-case
    hashtags: list[str] = field(default_factory=list)  # lower-case, without '#'
    links: list[str] = field(default_factory=list)


def extract_hashtags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in HASHTAG_RE.finditer(text):
        name = match.group(1)
        if not name.isdigit() and not name.startswith("_"):
            seen.setdefault(name.lower(), None)
    return list(seen)


def extract_mentions(text: str, local_domain: str) -> list[str]:
    """Usernames mentioned that live on this instance (``@name`` or ``@name@local``)."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text):
        username, domain = match.group(1), match.group(2)
        if domain is None or domain.lower() == local_domain.lower():
            seen.setdefault(username.lower(), None)
    return list(seen)


def extract_links(text: str) -> list[str]:
    return [m.group(0) for m in URL_RE.finditer(text)]


def render_html(text: str, known_usernames: set[str], base_url: str = "") -> str:
    """Escape the text, then link URLs, hashtags and known mentions. Returns safe HTML."""
    tokens: list[tuple[int, int, str]] = []
    for m in URL_RE.finditer(text):
        url = m.group(0)
        shown = html.escape(url.split("://", 1)[1])
        tokens.append(
            (
                m.start(),
                m.end(),
                f'<a href="{html.escape(url)}" rel="nofollow noopener noreferrer" '
                f'target="_blank">{shown}</a>',
            )
        )
    taken = [(s, e) for s, e, _ in tokens]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in HASHTAG_RE.finditer(text):
        name = m.group(1)
        if name.isdigit() or name.startswith("_") or not free(m.start(), m.end()):
            continue
        tokens.append(
            (
                m.start(),
                m.end(),
                f'<a href="{base_url}/tags/{html.escape(name.lower())}" class="mention hashtag" '
                f'rel="tag">#<span>{html.escape(name)}</span></a>',
            )
        )
    for m in MENTION_RE.finditer(text):
        username = m.group(1)
        if username.lower() not in known_usernames or not free(m.start(), m.end()):
            continue
        tokens.append(
            (
                m.start(),
                m.end(),
                f'<span class="h-card"><a href="{base_url}/@{html.escape(username)}" '
                f'class="u-url mention">@<span>{html.escape(username)}</span></a></span>',
            )
        )
    tokens.sort()
    out: list[str] = []
    pos = 0
    for start, end, replacement in tokens:
        out.append(html.escape(text[pos:start]))
        out.append(replacement)
        pos = end
    out.append(html.escape(text[pos:]))
    body = "".join(out)
    paragraphs = [p for p in re.split(r"\n{2,}", body.strip()) if p]
    rendered = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return sanitize_html(rendered)


def sanitize_html(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel=None,
        url_schemes={"http", "https"},
    )


def unstorable_reason(text: str, max_bytes: int) -> str | None:
    """Why raw text cannot be stored, before any parsing: NUL characters (PostgreSQL refuses
    them), lone surrogates (not UTF-8), or more than ``max_bytes`` of UTF-8. None if fine."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return "must be valid Unicode"
    if size > max_bytes:
        return f"is too long ({max_bytes} bytes at most, links included)"
    return None


def text_length(text: str) -> int:
    """Characters as Mastodon counts them: every URL counts as 23."""
    length = len(text)
    for url in extract_links(text):
        length -= len(url) - 23
    return length
