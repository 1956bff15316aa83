"""Posts, their rules, and who may see or change them."""

from __future__ import annotations

import zlib
from datetime import datetime

from attrs import evolve, field, frozen

from domain.errors import InvalidInput
from domain.users import Actor

TITLE_MAX = 200
CONTENT_MIN, CONTENT_MAX = 1, 100_000
SEARCH_MAX = 200  # a search of posts' titles and content


def check_title(title: str) -> None:
    if not title.strip() or len(title) > TITLE_MAX:
        raise InvalidInput.on("title", f"Must be 1 to {TITLE_MAX} characters and not blank.")


def check_content(content: str) -> None:
    if not CONTENT_MIN <= len(content) <= CONTENT_MAX:
        raise InvalidInput.on("content", f"Must be {CONTENT_MIN} to {CONTENT_MAX:,} characters.")


@frozen(kw_only=True)
class Author:
    id: int
    name: str


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

    @classmethod
    def write(
        cls, *, author: Author, title: str, content: str, published: bool, now: datetime
    ) -> Post:
        InvalidInput.gather(lambda: check_title(title), lambda: check_content(content))
        return cls(
            id=None,
            author=author,
            title=title,
            content=content,
            published=published,
            published_at=now if published else None,
            created_at=now,
            updated_at=now,
        )

    def visible_to(self, actor: Actor | None) -> bool:
        """Anybody sees a published post; its author and admins see drafts too."""
        return self.published or (actor is not None and (actor.is_admin or self.is_by(actor)))

    def editable_by(self, actor: Actor | None) -> bool:
        return actor is not None and (actor.is_admin or self.is_by(actor))

    def is_by(self, actor: Actor) -> bool:
        return self.author.id == actor.id

    def edit(
        self, *, title: str | None, content: str | None, published: bool | None, now: datetime
    ) -> Post:
        """Change what is given; publishing stamps `published_at`, unpublishing clears it."""
        changes: dict[str, object] = {}
        if title is not None and title != self.title:
            check_title(title)
            changes["title"] = title
        if content is not None and content != self.content:
            check_content(content)
            changes["content"] = content
        if published is not None and published != self.published:
            changes["published"] = published
            changes["published_at"] = now if published else None
        if not changes:
            return self
        return evolve(self, **changes, updated_at=now, version=self.version + 1)  # type: ignore[arg-type]

    @property
    def etag(self) -> str:
        """Changes whenever the representation does: every edit bumps the version, and the
        author's name (shown with the post) is folded in."""
        return f"{self.id}-{self.version}-{zlib.crc32(self.author.name.encode()):08x}"
