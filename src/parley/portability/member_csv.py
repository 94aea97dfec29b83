"""A member's follows, blocks, mutes, lists and bookmarks as Mastodon's CSV files: export,
and import in merge mode (add what is listed) through the services, so every rule applies."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from parley.accounts import selectors as account_selectors
from parley.accounts import services as account_services
from parley.accounts.models import Block, Follow, Mute, User
from parley.core import ratelimits
from parley.core.errors import ParleyError, RateLimited, ValidationFailed
from parley.posts import selectors as post_selectors
from parley.posts import services as post_services
from parley.posts.models import Bookmark
from parley.timelines import selectors as timeline_selectors
from parley.timelines import services as timeline_services
from parley.timelines.models import List, ListMember

FOLLOWING, BLOCKS, MUTES, LISTS, BOOKMARKS = "following", "blocks", "mutes", "lists", "bookmarks"
FILENAMES = {
    FOLLOWING: "following_accounts.csv",
    BLOCKS: "blocked_accounts.csv",
    MUTES: "muted_accounts.csv",
    LISTS: "lists.csv",
    BOOKMARKS: "bookmarks.csv",
}
LABELS = {FOLLOWING: "Follows", BLOCKS: "Blocks", MUTES: "Mutes", LISTS: "Lists",
          BOOKMARKS: "Bookmarks"}
HEADERS = {
    FOLLOWING: ["Account address", "Show boosts", "Notify on new posts", "Languages"],
    BLOCKS: [],  # Mastodon writes blocks as bare addresses, one a line
    MUTES: ["Account address", "Hide notifications"],
    LISTS: [],  # "List title,account address", one member a line
    BOOKMARKS: [],  # one post URL a line
}
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5000
ADDRESS_RE = re.compile(
    r"^@?(?P<username>[A-Za-z0-9_]{1,30})(?:@(?P<domain>[A-Za-z0-9.:\[\]-]+))?$"
)
POST_URL_RE = re.compile(
    r"^https?://(?P<domain>[^/:]+)(?::\d+)?/@(?P<username>[A-Za-z0-9_]{1,30})/(?P<post>\d{1,18})/?$"
)
BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "": None}


class MalformedImport(ValidationFailed):
    """The uploaded file is not one of Mastodon's CSV files; nothing was changed."""


@dataclass
class ImportResult:
    added: int = 0
    unchanged: int = 0  # already followed/blocked/muted
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (address, why)


@dataclass(frozen=True)
class ImportRow:
    line: int
    address: str
    username: str
    domain: str
    hide_notifications: bool = True
    list_title: str = ""
    post_id: int | None = None


def address_of(user: User, domain: str) -> str:
    return f"{user.username}@{domain}"


def export_rows(user: User, kind: str, domain: str, site_url: str = "") -> list[list[str]]:
    """The CSV rows (header first, when the format has one) of one of the member's lists."""
    header = [HEADERS[kind]] if HEADERS[kind] else []
    if kind == LISTS:
        return sorted([listed.title, address_of(member.account, domain)]
                      for listed in List.objects.filter(owner=user)
                      for member in timeline_selectors.list_memberships(listed))
    if kind == BOOKMARKS:
        # only posts the member may still open, oldest bookmark first (as Mastodon writes it)
        marks = (Bookmark.objects.filter(user=user, post__in=post_selectors.visible_posts(user))
                 .select_related("post__author").order_by("id"))
        site = site_url or f"https://{domain}"
        return [[f"{site}/@{m.post.author.username}/{m.post_id}"] for m in marks]
    if kind == FOLLOWING:
        follows = Follow.objects.filter(follower=user).select_related("followee")
        rows = [[address_of(f.followee, domain), "true", "false", ""] for f in follows]
    elif kind == BLOCKS:
        blocks = Block.objects.filter(blocker=user).select_related("blocked")
        rows = [[address_of(b.blocked, domain)] for b in blocks]
    else:
        mutes = Mute.objects.filter(muter=user).select_related("muted")
        rows = [[address_of(m.muted, domain), _bool(m.hide_notifications)] for m in mutes]
    return header + sorted(rows)


def export_csv(user: User, kind: str, domain: str, site_url: str = "") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(export_rows(user, kind, domain, site_url))
    return out.getvalue()


def _bool(value: bool) -> str:
    return "true" if value else "false"


def parse_import(data: bytes, kind: str) -> list[ImportRow]:
    """Read an uploaded file, with or without its header; MalformedImport says what is wrong."""
    if kind not in FILENAMES:
        raise MalformedImport(f"Unknown list {kind!r}")
    if len(data) > MAX_IMPORT_BYTES:
        raise MalformedImport(f"The file is too large ({MAX_IMPORT_BYTES // 1024} KB at most).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedImport("The file is not a UTF-8 text (CSV) file.") from None
    if "\x00" in text:
        raise MalformedImport("The file is not a text (CSV) file.")
    rows: list[ImportRow] = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
            row = _parse_row(number, cells, kind)
            if row is not None:
                rows.append(row)
            if len(rows) > MAX_IMPORT_ROWS:
                raise MalformedImport(f"The file has more than {MAX_IMPORT_ROWS} accounts.")
    except csv.Error as problem:
        raise MalformedImport(f"The file is not valid CSV: {problem}") from None
    return rows


def _parse_row(number: int, cells: list[str], kind: str) -> ImportRow | None:
    cells = [cell.strip() for cell in cells]
    if not any(cells):
        return None
    if number == 1 and cells[0].lower() == "account address":
        return None  # the header; Mastodon's files may come with or without it
    if kind == BOOKMARKS:
        return _parse_bookmark(number, cells[0])
    title = ""
    if kind == LISTS:
        if len(cells) < 2 or not cells[0] or len(cells[0]) > 200:
            raise MalformedImport(f"Line {number}: a list title, a comma and an account "
                                  "address are needed (like Friends,name@example.org).")
        title, cells = cells[0], cells[1:]
    match = ADDRESS_RE.match(cells[0])
    if match is None:
        raise MalformedImport(f"Line {number}: {cells[0][:60]!r} is not an account address "
                              "(like name@example.org).")
    hide = True
    if kind == MUTES and len(cells) > 1:
        value = BOOLEANS.get(cells[1].lower(), "bad")
        if value == "bad":
            raise MalformedImport(f"Line {number}: 'Hide notifications' must be true or false.")
        hide = True if value is None else bool(value)
    return ImportRow(number, cells[0].lstrip("@"), match["username"],
                     (match["domain"] or "").lower(), hide, list_title=title)


def _parse_bookmark(number: int, url: str) -> ImportRow:
    match = POST_URL_RE.match(url)
    if match is None:
        raise MalformedImport(f"Line {number}: {url[:60]!r} is not the address of a post "
                              "(like https://example.org/@name/123).")
    return ImportRow(number, url, match["username"], match["domain"].lower(),
                     post_id=int(match["post"]))


def import_csv(user: User, kind: str, data: bytes, domain: str) -> ImportResult:
    """Add every listed account to the member's list, in one transaction. Accounts that are
    unknown, on another server or refused by a rule are skipped and reported, never fatal."""
    rows = parse_import(data, kind)
    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            _import_row(user, kind, row, domain.lower(), result)
    return result


def _import_row(user: User, kind: str, row: ImportRow, domain: str, result: ImportResult) -> None:
    if row.domain and row.domain not in {domain, settings.PARLEY_DOMAIN.lower(), "localhost"}:
        result.skipped.append((row.address, "on another server"))
        return
    try:
        account = account_selectors.get_account_by_username(row.username)
        if _already(user, kind, account, row):
            result.unchanged += 1
            return
        with transaction.atomic():  # a refused row leaves no half-made change
            _apply(user, kind, account, row)
    except RateLimited:
        result.skipped.append((row.address, "follow limit reached, try again tomorrow"))
    except ParleyError as exc:
        missing = "no such post you may see" if kind == BOOKMARKS else "unknown account"
        reason = missing if exc.status == 404 else exc.message
        result.skipped.append((row.address, reason))
    else:
        result.added += 1


def _already(user: User, kind: str, account: User, row: ImportRow) -> bool:
    if kind == FOLLOWING:
        return Follow.objects.filter(follower=user, followee=account).exists()
    if kind == BLOCKS:
        return Block.objects.filter(blocker=user, blocked=account).exists()
    if kind == LISTS:
        return ListMember.objects.filter(list__owner=user, list__title=row.list_title,
                                         account=account).exists()
    if kind == BOOKMARKS:
        return Bookmark.objects.filter(user=user, post_id=row.post_id).exists()
    return Mute.objects.filter(
        muter=user, muted=account, hide_notifications=row.hide_notifications
    ).exists()


def _apply(user: User, kind: str, account: User, row: ImportRow) -> None:
    if kind == FOLLOWING:
        ratelimits.hit("follow_account", user.pk)  # the same budget as the follow button
        account_services.follow(user, account)
    elif kind == BLOCKS:
        account_services.block(user, account)
    elif kind == LISTS:
        listed = (List.objects.filter(owner=user, title=row.list_title).first()
                  or timeline_services.create_list(user, row.list_title))
        timeline_services.add_to_list(listed, [account.pk])
    elif kind == BOOKMARKS:
        post = post_selectors.get_post(row.post_id, user)
        if post.author_id != account.pk:
            raise ValidationFailed("no such post by that account")
        post_services.bookmark(user, post)
    else:
        account_services.mute(user, account, hide_notifications=row.hide_notifications)
