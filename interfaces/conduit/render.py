"""Quill's objects as RealWorld's JSON: names and shapes only (shapes.py says the keys).

A Conduit article is a published Quill post: `description` is its summary, `body` its content.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from application.paging import Page
from application.ports import TagUse
from domain.comments import Comment
from domain.posts import Author, Post
from domain.times import in_utc
from domain.users import Profile, User

WITH_MICROSECONDS = len(b'"2026-11-24T10:00:00.123456Z"')  # how orjson writes a UTC time


def timestamps(created: datetime, updated: datetime) -> tuple[str, str]:
    """createdAt and updatedAt, ISO 8601 in UTC, always with milliseconds (RealWorld's suites
    expect a fraction). Until the first change (most posts, most comments) both are the same
    time, written once; compared in UTC, where no two instants share a wall time."""
    created, updated = in_utc(created), in_utc(updated)
    written = _written(created)
    return written, written if updated == created else _written(updated)


def _written(utc: datetime) -> str:
    """Written by orjson, cheaper than isoformat(timespec=...) for two times per article in a
    list (bench/RESULTS.md): `"YYYY-MM-DDTHH:MM:SS.ffffffZ"`, cut to milliseconds as isoformat
    would; with no microseconds orjson writes no fraction, so the zero milliseconds are added."""
    written = orjson.dumps(utc, option=orjson.OPT_UTC_Z)
    if len(written) == WITH_MICROSECONDS:
        return f"{written[1:24].decode()}Z"
    return f"{written[1:20].decode()}.000Z"


def user(account: User, token: str) -> dict[str, Any]:
    """shapes.UserEnvelope."""
    return {
        "user": {
            "email": account.email,
            "token": token,
            "username": account.username,
            "bio": account.bio,
            "image": account.image,
        }
    }


def profile(found: Profile) -> dict[str, Any]:
    """shapes.ProfileEnvelope."""
    return {
        "profile": {
            "username": found.username,
            "bio": found.bio,
            "image": found.image,
            "following": found.following,
        }
    }


def author(writer: Author) -> dict[str, Any]:
    """shapes.Profile, of a post's or a comment's author."""
    return {
        "username": writer.username,
        "bio": writer.bio,
        "image": writer.image,
        "following": writer.following,
    }


def article_in_list(post: Post) -> dict[str, Any]:
    """shapes.ArticleInList. Tags sorted: RealWorld clients (and its older suite) expect them so;
    Quill keeps them as given."""
    created, updated = timestamps(post.created_at, post.updated_at)
    return {
        "slug": post.slug,
        "title": post.title,
        "description": post.summary,
        "tagList": sorted(post.tags),
        "createdAt": created,
        "updatedAt": updated,
        "favorited": post.favorited,
        "favoritesCount": post.favorites_count,
        "author": author(post.author),
    }


def article(post: Post) -> dict[str, Any]:
    """shapes.ArticleEnvelope."""
    return {"article": {**article_in_list(post), "body": post.content}}


def articles(page: Page[Post]) -> dict[str, Any]:
    """shapes.ArticlesEnvelope: `articlesCount` is every article the filter matches."""
    return {"articles": [article_in_list(post) for post in page.items], "articlesCount": page.total}


def _comment(said: Comment) -> dict[str, Any]:
    created, updated = timestamps(said.created_at, said.updated_at)
    return {
        "id": said.id,
        "createdAt": created,
        "updatedAt": updated,
        "body": said.body,
        "author": author(said.author),
    }


def comment(said: Comment) -> dict[str, Any]:
    """shapes.CommentEnvelope."""
    return {"comment": _comment(said)}


def comments(page: Page[Comment]) -> dict[str, Any]:
    """shapes.CommentsEnvelope."""
    return {"comments": [_comment(said) for said in page.items]}


def tags(uses: Iterable[TagUse]) -> dict[str, Any]:
    """shapes.TagsEnvelope."""
    return {"tags": [use.name for use in uses]}
