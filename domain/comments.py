"""Comments on posts, and who may delete them."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from domain.errors import InvalidInput
from domain.posts import Author, Post
from domain.users import Actor

BODY_MIN, BODY_MAX = 1, 10_000


def check_body(body: str) -> None:
    if not BODY_MIN <= len(body) <= BODY_MAX:
        raise InvalidInput.on("body", f"Must be {BODY_MIN} to {BODY_MAX:,} characters.")


@frozen(kw_only=True)
class Comment:
    id: int | None
    post_id: int
    author: Author
    body: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def write(cls, *, post: Post, author: Author, body: str, now: datetime) -> Comment:
        """Only on a post the author can see: the use case has checked that."""
        check_body(body)
        assert post.id is not None
        return cls(
            id=None, post_id=post.id, author=author, body=body, created_at=now, updated_at=now
        )

    def deletable_by(self, actor: Actor, post: Post) -> bool:
        """Its author, the post's author, or an admin."""
        return actor.is_admin or self.author.id == actor.id or post.is_by(actor)
