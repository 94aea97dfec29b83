"""A member's own archive in Mastodon's layout (outbox.json, actor.json, likes.json, the
media files), plus the statements of reasons they received, written to a file as a zip.

Tools made for Mastodon archives read it. Held and removed posts are the member's own
words and their author can see them anyway, so they are in it, marked with ``parleyState``;
deleted posts are not."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO, Any

from django.utils.html import escape, linebreaks

from parley.accounts.models import User
from parley.posts.models import Bookmark, Like, MediaAttachment, Post, PostState, Visibility
from parley.posts.selectors import visible_posts

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
OUTBOX, ACTOR, LIKES, STATEMENTS = "outbox.json", "actor.json", "likes.json", "statements.json"
BOOKMARKS = "bookmarks.json"
MEDIA_DIR = "media_attachments/files"
BATCH = 500


class Links:
    """Absolute addresses on this instance, the same shapes the API gives out."""

    def __init__(self, site_url: str) -> None:
        self.root = site_url.rstrip("/")

    def actor(self, username: str) -> str:
        return f"{self.root}/users/{username}"

    def post(self, username: str, post_id: int) -> str:
        return f"{self.root}/@{username}/{post_id}"

    def build_absolute_uri(self, path: str) -> str:  # what the statement serializer asks
        return self.root + path


def own_posts(user: User):
    return (
        Post.objects.filter(author=user).exclude(state=PostState.DELETED)
        .select_related("in_reply_to__author", "reblog_of__author")
        .prefetch_related("mentions", "tags", "media")
        .order_by("id")
    )


def own_media(user: User):
    return (
        MediaAttachment.objects.filter(owner=user, post__author=user)
        .exclude(post__state=PostState.DELETED).order_by("id")
    )


def media_member_name(item: MediaAttachment) -> str:
    return f"{MEDIA_DIR}/{PurePosixPath(item.file.name).name}"


def write_member_archive(user: User, site_url: str, dest: IO[bytes]) -> None:
    """Write the archive of ``user`` to ``dest`` (a temporary file), post by post."""
    links = Links(site_url)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(OUTBOX, "w") as stream:
            _write_collection(stream, OUTBOX, own_posts(user).count(),
                              (_activity(post, links) for post in own_posts(user).iterator(BATCH)))
        _write_media(archive, user)
        _write_likes(archive, user, links)
        _write_bookmarks(archive, user, links)
        _write_actor(archive, user, links)
        archive.writestr(STATEMENTS, json.dumps(_statements(user, links), indent=1))


def _write_collection(stream: IO[bytes], name: str, total: int, items: Iterator[Any]) -> None:
    """An OrderedCollection written item by item, never whole in memory."""
    head = {"@context": AS_CONTEXT, "id": name, "type": "OrderedCollection", "totalItems": total}
    stream.write(json.dumps(head)[:-1].encode() + b', "orderedItems": [')
    for number, item in enumerate(items):
        stream.write((b", " if number else b"") + json.dumps(item).encode())
    stream.write(b"]}")


def _activity(post: Post, links: Links) -> dict[str, Any]:
    author = post.author.username
    note_id = links.post(author, post.pk)
    to, cc = _audience(post, links)
    published = post.created_at.isoformat()
    if post.reblog_of_id:
        original = links.post(post.reblog_of.author.username, post.reblog_of_id)
        return {"id": f"{note_id}/activity", "type": "Announce", "actor": links.actor(author),
                "published": published, "to": to, "cc": cc, "object": original}
    return {"id": f"{note_id}/activity", "type": "Create", "actor": links.actor(author),
            "published": published, "to": to, "cc": cc, "object": _note(post, links, to, cc)}


def _note(post: Post, links: Links, to: list[str], cc: list[str]) -> dict[str, Any]:
    author = post.author.username
    parent = post.in_reply_to
    return {
        "id": links.post(author, post.pk),
        "type": "Note",
        "summary": post.spoiler_text or None,
        "inReplyTo": links.post(parent.author.username, parent.pk) if parent else None,
        "published": post.created_at.isoformat(),
        "updated": post.edited_at.isoformat() if post.edited_at else None,
        "url": links.post(author, post.pk),
        "attributedTo": links.actor(author),
        "to": to,
        "cc": cc,
        "sensitive": post.sensitive,
        "content": post.content_html,
        "contentMap": {post.language: post.content_html} if post.language else {},
        "attachment": [_attachment(item) for item in post.media.all()],
        "tag": _tags(post, links),
        "parleyState": post.state,  # published, held (pending review) or removed
    }


def _audience(post: Post, links: Links) -> tuple[list[str], list[str]]:
    followers = f"{links.actor(post.author.username)}/followers"
    mentioned = [links.actor(u.username) for u in post.mentions.all()]
    if post.visibility == Visibility.PUBLIC:
        return [PUBLIC], [followers, *mentioned]
    if post.visibility == Visibility.UNLISTED:
        return [followers], [PUBLIC, *mentioned]
    if post.visibility == Visibility.PRIVATE:
        return [followers], mentioned
    return mentioned, []


def _attachment(item: MediaAttachment) -> dict[str, Any]:
    return {"type": "Document", "mediaType": item.content_type or "image/*",
            "url": media_member_name(item), "name": item.description or None,
            "width": item.width, "height": item.height}


def _tags(post: Post, links: Links) -> list[dict[str, str]]:
    mentions = [{"type": "Mention", "href": links.actor(u.username), "name": f"@{u.username}"}
                for u in post.mentions.all()]
    hashtags = [{"type": "Hashtag", "href": f"{links.root}/tags/{t.name}", "name": f"#{t.name}"}
                for t in post.tags.all()]
    return mentions + hashtags


def _copy_file(archive: zipfile.ZipFile, field_file, name: str) -> bool:
    """Copy a stored file into the archive in chunks; a file gone from storage is left out."""
    try:
        with field_file.open("rb") as source, archive.open(name, "w") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
    except FileNotFoundError:
        return False
    return True


def _write_media(archive: zipfile.ZipFile, user: User) -> None:
    for item in own_media(user).iterator(BATCH):
        if item.file:
            _copy_file(archive, item.file, media_member_name(item))


def _write_likes(archive: zipfile.ZipFile, user: User, links: Links) -> None:
    likes = (Like.objects.filter(user=user).exclude(post__state=PostState.DELETED)
             .select_related("post__author").order_by("id"))
    with archive.open(LIKES, "w") as stream:
        _write_collection(stream, LIKES, likes.count(),
                          (links.post(like.post.author.username, like.post_id)
                           for like in likes.iterator(BATCH)))


def _write_bookmarks(archive: zipfile.ZipFile, user: User, links: Links) -> None:
    # Only posts the member may still open: a bookmark does not outlive the post's audience.
    bookmarks = (Bookmark.objects.filter(user=user, post__in=visible_posts(user))
                 .select_related("post__author").order_by("id"))
    with archive.open(BOOKMARKS, "w") as stream:
        _write_collection(stream, BOOKMARKS, bookmarks.count(),
                          (links.post(mark.post.author.username, mark.post_id)
                           for mark in bookmarks.iterator(BATCH)))


def _write_actor(archive: zipfile.ZipFile, user: User, links: Links) -> None:
    actor: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": links.actor(user.username),
        "type": "Person",
        "preferredUsername": user.username,
        "name": user.display_name,
        "summary": linebreaks(escape(user.bio)) if user.bio else "",
        "url": f"{links.root}/@{user.username}",
        "published": user.created_at.isoformat(),
        "manuallyApprovesFollowers": user.locked,
        "outbox": OUTBOX,
        "likes": LIKES,
    }
    images = (("icon", user.avatar, "avatar"), ("image", user.header, "header"))
    for key, field_file, stem in images:
        if not field_file:
            continue
        name = stem + PurePosixPath(field_file.name).suffix.lower()
        if _copy_file(archive, field_file, name):
            actor[key] = {"type": "Image", "mediaType": _image_type(name), "url": name}
    archive.writestr(ACTOR, json.dumps(actor, indent=1))


def _image_type(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lstrip(".")
    return f"image/{'jpeg' if suffix == 'jpg' else suffix}"


def _statements(user: User, links: Links) -> list[dict[str, Any]]:
    """Every statement of reasons the member received, as the member's statements API shows it."""
    from parley.api.views_safety import statement_entity
    from parley.safety.cases.selectors import statements_for

    return [statement_entity(statement, links) for statement in statements_for(user)]
