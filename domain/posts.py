"""Posts, their rules, and who may see or change them."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime

from attrs import evolve, field, frozen

from domain.errors import InvalidInput
from domain.text import ascii_words, is_blank, is_printable
from domain.users import Actor

TITLE_MAX = 200
CONTENT_MIN, CONTENT_MAX = 1, 100_000
SEARCH_MAX = 200  # a search of posts' titles and content
SUMMARY_MAX = 300
TAGS_MAX, TAG_MAX = 10, 40
SLUG_MAX = 80
# Slugs no post is given, for a route would shadow them: `GET /api/articles/feed` is
# RealWorld's feed, so an article slugged `feed` could never be read there. A title that
# makes one is numbered from 2 on (`feed-2`).
RESERVED_SLUGS = frozenset({"feed"})


def check_title(title: str) -> None:
    if is_blank(title) or len(title) > TITLE_MAX:
        raise InvalidInput.on("title", f"Must be 1 to {TITLE_MAX} characters and not blank.")


def check_content(content: str) -> None:
    if not CONTENT_MIN <= len(content) <= CONTENT_MAX:
        raise InvalidInput.on("content", f"Must be {CONTENT_MIN} to {CONTENT_MAX:,} characters.")


def check_summary(summary: str) -> None:
    if len(summary) > SUMMARY_MAX:
        raise InvalidInput.on("summary", f"Must be at most {SUMMARY_MAX} characters.")


def composed_tag(raw: str) -> str:
    """A tag as it is kept and looked up: trimmed and composed (NFC), so that `é` typed as one
    character or as `e` and an accent is one tag, not two that read the same. Kept as typed
    when composing would pass TAG_MAX (a few characters compose into two), as migration 0017
    left such tags."""
    tag = raw.strip()
    composed = unicodedata.normalize("NFC", tag)
    return composed if len(composed) <= TAG_MAX else tag


def normalize_tags(raw: Iterable[str]) -> tuple[str, ...]:
    """Composed (composed_tag), each kept once in the order given (a repeat is dropped, not an
    error). Refused at the first tag past TAGS_MAX distinct ones: a body may hold a hundred
    thousand, and each is looked up once, so no list costs more than its reading."""
    tags: dict[str, None] = {}  # insertion-ordered, as a set is not
    for given in raw:
        tag = composed_tag(given)
        printable = is_printable(tag) and not is_blank(tag)
        if not 1 <= len(tag) <= TAG_MAX or "," in tag or not printable:
            raise InvalidInput.on(
                "tags", f"Each tag must be 1 to {TAG_MAX} printable characters, without commas."
            )
        tags[tag] = None
        if len(tags) > TAGS_MAX:
            raise InvalidInput.on("tags", f"At most {TAGS_MAX} distinct tags.")
    return tuple(tags)


def slug_of(title: str) -> str:
    """Lower-case ASCII words joined by `-`, at most SLUG_MAX characters; `post` when nothing
    of the title is left."""
    words = ascii_words(title)
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > SLUG_MAX:
            break
        slug = longer
    if not slug and words:  # a first word longer than a slug may be
        slug = words[0][:SLUG_MAX]
    return slug or "post"


def slug_candidates(base: str, first: int = 1) -> Iterator[str]:
    """`base`, then `base-2`, `base-3` ... (from `first` on), each at most SLUG_MAX long; a
    reserved slug (RESERVED_SLUGS) is passed over."""
    n = first
    while True:
        candidate = numbered_slug(base, n)
        if candidate not in RESERVED_SLUGS:
            yield candidate
        n += 1


def numbered_slug(base: str, n: int) -> str:
    """Candidate `n` for `base`: `base` itself for 1, else `base-n` within SLUG_MAX."""
    if n == 1:
        return base
    suffix = f"-{n}"
    return base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix


@frozen(kw_only=True)
class Author:
    """A post's or a comment's author as read with it, for the reader (`following`: whether
    the reader follows them)."""

    id: int
    name: str
    username: str = ""
    bio: str | None = None
    image: str | None = None
    following: bool = False

    @classmethod
    def acting(cls, actor: Actor) -> Author:
        """The caller as the author of what they write now: as a read of it would show them
        (following themself: never)."""
        return cls(
            id=actor.id, name=actor.name, username=actor.username, bio=actor.bio,
            image=actor.image,
        )  # fmt: skip


@frozen(kw_only=True)
class Post:
    id: int | None
    author: Author
    title: str
    content: str
    published: bool = False
    published_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    # Bumped on every change; the ETag and the compare-and-set of an update rest on it.
    version: int = field(default=1)
    # Made once from the title when the post is stored, never changed: links last.
    slug: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    # As read with the post, for the reader: favorites and comments do not edit a post.
    favorites_count: int = 0
    comments_count: int = 0
    favorited: bool = False

    @classmethod
    def write(
        cls,
        *,
        author: Author,
        title: str,
        content: str,
        published: bool,
        now: datetime,
        summary: str = "",
        tags: Iterable[str] = (),
    ) -> Post:
        _, _, _, tag_list = InvalidInput.gather(
            lambda: check_title(title),
            lambda: check_content(content),
            lambda: check_summary(summary),
            lambda: normalize_tags(tags),
        )
        return cls(
            id=None,
            author=author,
            title=title,
            content=content,
            published=published,
            published_at=now if published else None,
            created_at=now,
            updated_at=now,
            slug=slug_of(title),
            summary=summary,
            tags=tag_list,  # type: ignore[arg-type]
        )

    def visible_to(self, actor: Actor | None) -> bool:
        """Anybody sees a published post; its author and admins see drafts too."""
        return self.published or (actor is not None and (actor.is_admin or self.is_by(actor)))

    def editable_by(self, actor: Actor | None) -> bool:
        return actor is not None and (actor.is_admin or self.is_by(actor))

    def is_by(self, actor: Actor) -> bool:
        return self.author.id == actor.id

    def edit(
        self,
        *,
        title: str | None,
        content: str | None,
        published: bool | None,
        now: datetime,
        summary: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> Post:
        """Change what is given; publishing stamps `published_at`, unpublishing clears it.
        The slug stays: it was made once, at creation."""
        checks = (
            lambda: None if title is None else check_title(title),
            lambda: None if content is None else check_content(content),
            lambda: None if summary is None else check_summary(summary),
            lambda: None if tags is None else normalize_tags(tags),
        )
        tag_list = InvalidInput.gather(*checks)[3]
        changes: dict[str, object] = {}
        if title is not None and title != self.title:
            changes["title"] = title
        if content is not None and content != self.content:
            changes["content"] = content
        if summary is not None and summary != self.summary:
            changes["summary"] = summary
        if tag_list is not None and tag_list != self.tags:
            changes["tags"] = tag_list
        if published is not None and published != self.published:
            changes["published"] = published
            changes["published_at"] = now if published else None
        if not changes:
            return self
        return evolve(self, **changes, updated_at=now, version=self.version + 1)  # type: ignore[arg-type]

    @property
    def etag(self) -> str:
        """The version of what the author edits in the post (title, content, published,
        summary, tags): what If-Match protects. Counts, `favorited` and the author's name
        and username, shown with the post but not edited in it, may differ under one ETag
        (docs/API.md), so renaming oneself never fails an edit's precondition."""
        return f"{self.id}-{self.version}"
