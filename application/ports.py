"""The ports the use cases need; adapters satisfy them structurally, without inheriting."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Protocol, Self

from attrs import frozen

from application.paging import Found, Window
from application.tokens import TokenClaims
from domain.comments import Comment
from domain.links import LinkPurpose, LinkToken
from domain.mail import Letter, MailStatus, OutgoingMail
from domain.posts import Post
from domain.sessions import LoginSession, SessionHolder
from domain.users import User

Clock = Callable[[], datetime]


class UserRepository(Protocol):
    def add(self, user: User) -> User:
        """Store a new user and return it with its database id."""

    def add_many(self, users: Iterable[User]) -> list[int]:
        """The bulk path for seeding: one statement per batch, ids in input order."""

    def get(self, user_id: int, *, lock: bool = False) -> User | None:
        """With `lock`, the row stays locked until the transaction ends."""

    def get_by_email(self, email: str, *, lock: bool = False) -> User | None:
        """`email` is already normalised (lower-cased)."""

    def get_by_username(self, username: str) -> User | None:
        """Looked up without regard to case."""

    def taken_usernames(self, keys: list[str]) -> set[str]:
        """Which of these lower-cased usernames are taken, without regard to case."""

    def save(self, user: User) -> None: ...

    def remove(self, user_id: int) -> None:
        """Remove the user with their posts, sessions, comments, favorites and follows,
        keeping every count they were part of right."""

    def lock_active_admin_ids(
        self, with_user: int | None = None, *, with_ties: bool = False
    ) -> list[int]:
        """Ids of active admins, locked until the transaction ends so two demotions serialise;
        `with_user`'s row is locked with them (`with_ties`: and the rows of everyone they
        follow or who follows them, as a removal needs), all in one statement in id order,
        the one order every writer of users' rows keeps."""

    def find(self, search: str | None, window: Window) -> Found[User]:
        """Newest first (ties by id); `search` is a case-insensitive substring of name or email.
        The total comes along: the kept one, or a search's matches up to SEARCH_COUNTED when
        the window lies within them (`Window.within_search_count`)."""

    def count(self, search: str | None, at_most: int | None = None) -> int:
        """How many users match, or `at_most` when at least that many do."""


@frozen(kw_only=True)
class PostFilter:
    """Which posts a list query selects; the use case has already applied visibility."""

    published: bool
    author_id: int | None = None
    search: str | None = None
    tag: str | None = None
    favorited_by: int | None = None  # a user id
    followed_by: int | None = None  # a user id: posts by the authors they follow (the feed)


class PostRepository(Protocol):
    def add(self, post: Post) -> Post:
        """Store a new post with its tags and return it with its id and its slug: `post.slug`
        the first time, then `slug-2`, `slug-3` ... (domain.posts.numbered_slug), each number
        given once: a slug taken by another title or reserved is passed over, and a deleted
        post's slug is not given again. Unique even against a concurrent writer."""

    def add_many(self, posts: Iterable[Post]) -> list[int]:
        """The bulk path for seeding: a few statements per batch, ids in input order. Slugs
        are stored as given (the caller makes them unique), tags and tag counts included."""

    def get(self, post_id: int, *, lock: bool = False, viewer_id: int | None = None) -> Post | None:
        """The post with its author (name, username, bio, image, and whether `viewer_id` follows
        them), its counts and whether `viewer_id` favorited it.
        With `lock`, the post stays locked until the transaction ends (its author's row too,
        shared, taken first), so concurrent changes of one post run one after the other."""

    def get_by_slug(self, slug: str, *, viewer_id: int | None = None) -> Post | None: ...

    def update(self, post: Post, previous: Post) -> bool:
        """Compare-and-set: write `post` (tags included) only if the stored one is still at
        `previous.version`."""

    def remove(self, post_id: int) -> None:
        """Remove the post with its comments and favorites."""

    def find(
        self, filters: PostFilter, window: Window, viewer_id: int | None = None
    ) -> Found[Post]:
        """Newest first (ties by id), with authors, tags, counts and whether `viewer_id`
        favorited each: a fixed number of statements whatever the page's size. The total
        comes along when a kept count answers the filter, or with a search outside a feed
        (in someone's favorites too) its matches up to SEARCH_COUNTED when the window lies
        within them (`Window.within_search_count`); a user's favorites are counted apart."""

    def count(self, filters: PostFilter, at_most: int | None = None) -> int:
        """How many posts match, or `at_most` when at least that many do."""


@frozen(kw_only=True)
class FollowStats:
    following: bool  # whether the viewer follows the user
    followers: int
    follows: int


class FollowRepository(Protocol):
    def add(self, follower_id: int, followed_id: int, at: datetime) -> None:
        """Idempotent; the counts follow the rows exactly, even under concurrent calls."""

    def remove(self, follower_id: int, followed_id: int) -> None:
        """Idempotent, like `add`."""

    def add_many(self, follows: Iterable[tuple[int, int, datetime]]) -> None:
        """The bulk path for seeding: (follower, followed, since), no pair twice; counts kept."""

    def stats(self, user_id: int, viewer_id: int | None) -> FollowStats: ...


class FavoriteRepository(Protocol):
    def add(self, user_id: int, post_id: int, at: datetime) -> None:
        """Idempotent; the post's count follows the rows exactly, even under concurrent calls."""

    def remove(self, user_id: int, post_id: int) -> None:
        """Idempotent, like `add`."""

    def add_many(self, favorites: Iterable[tuple[int, int, datetime]]) -> None:
        """The bulk path for seeding: (user, post, since), no pair twice; counts kept."""


class CommentRepository(Protocol):
    def add(self, comment: Comment) -> Comment:
        """Store it, count it on its post, and return it with its id."""

    def add_many(self, comments: Iterable[Comment]) -> None:
        """The bulk path for seeding; counts kept."""

    def get(self, comment_id: int, viewer_id: int | None = None) -> Comment | None:
        """With its author as they are now (and whether `viewer_id` follows them)."""

    def remove(self, comment_id: int) -> bool:
        """Delete it and uncount it; False when it was not there (removed meanwhile)."""

    def find(self, post_id: int, window: Window, viewer_id: int | None = None) -> Found[Comment]:
        """The post's comments, newest first (ties by id), authors as `get` reads them, a
        fixed number of statements, with the post's kept count of them."""

    def count(self, post_id: int) -> int: ...


@frozen(kw_only=True)
class TagUse:
    name: str
    posts: int  # published posts carrying the tag


class TagRepository(Protocol):
    def most_used(self, limit: int) -> list[TagUse]:
        """Tags on at least one published post, most used first; among equals the newest tag
        first, so a tag just used shows even when many tags are used once."""


class SessionRepository(Protocol):
    def add(self, session: LoginSession) -> None: ...

    def get_with_user(self, session_id: str) -> tuple[LoginSession, User] | None:
        """The session and its user, loaded together in one round trip."""

    def get_holder(self, session_id: str) -> SessionHolder | None:
        """What authenticating a request needs of the session and its user, in one round trip."""

    def rotate(
        self, session_id: str, old_token_id: str, new_token_id: str, expires_at: datetime
    ) -> bool:
        """Compare-and-set the refresh token id; False if it was no longer `old_token_id`."""

    def revoke(self, session_id: str, now: datetime) -> None: ...

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None: ...

    def remove_expired(self, user_id: int, now: datetime) -> None:
        """Forget the user's sessions past their expiry: every token of theirs has expired too."""


class LoginAttemptRepository(Protocol):
    def lock(self, email: str) -> None:
        """Serialise logins for `email` until the transaction ends, so a burst cannot slip
        more guesses past the limit between counting failures and recording one."""

    def add_failure(self, email: str, at: datetime) -> None: ...

    def failures_since(self, email: str, since: datetime) -> list[datetime]:
        """Times of failed logins for `email` strictly after `since`, oldest first."""

    def clear(self, email: str) -> None: ...

    def prune(self, before: datetime) -> None:
        """Forget failures older than `before`, for every e-mail."""


class PasswordGuessRepository(Protocol):
    """Wrong current passwords given to change a user's password, per user."""

    def add(self, user_id: int, at: datetime) -> None: ...

    def since(self, user_id: int, since: datetime) -> list[datetime]:
        """Times of wrong guesses strictly after `since`, oldest first."""

    def forget(self, user_id: int, before: datetime | None = None) -> None:
        """Forget the user's guesses older than `before`, or all of them."""


class UnitOfWork(Protocol):
    """One use case, one transaction: leaving the block without `commit()` rolls back."""

    users: UserRepository
    posts: PostRepository
    sessions: SessionRepository
    login_attempts: LoginAttemptRepository
    password_guesses: PasswordGuessRepository
    follows: FollowRepository
    favorites: FavoriteRepository
    comments: CommentRepository
    tags: TagRepository
    link_tokens: LinkTokenRepository
    link_requests: LinkRequestRepository
    outbox: OutboxRepository

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None:
        """Make the changes durable; a uniqueness violation surfaces as a `Conflict`."""

    def read_only(self) -> UnitOfWork:
        """A unit for use cases that only read: the store refuses any write made in it, and
        it cannot commit. No transaction is opened (none to roll back): each statement sees
        what is committed, as under READ COMMITTED. It saves two round trips per use case."""


class PasswordHasher(Protocol):
    """Slow, salted hashing. `dummy_hash` lets a failed lookup cost as much as a wrong password."""

    dummy_hash: str

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class TokenService(Protocol):
    """Signs claims into a token and reads them back; a bad token raises `InvalidToken`."""

    def encode(self, claims: TokenClaims) -> str: ...

    def decode(self, token: str) -> TokenClaims: ...


# E-mail verification, password reset and the mail that carries them.


class LinkTokenRepository(Protocol):
    def add(self, token: LinkToken, *, keep: bool = True) -> None:
        """Store the token. With `keep=False` the same statement is sent and stores nothing, so
        that a reset asked for an unknown address costs the round trips a known one does."""

    def get_by_hash(self, token_hash: str) -> LinkToken | None: ...

    def use(self, token_id: int, now: datetime) -> bool:
        """Compare-and-set: mark it used unless it already was; False if it was."""

    def use_all(self, user_id: int, purpose: LinkPurpose, now: datetime) -> None:
        """Mark every unused token of the user for `purpose` used."""

    def prune(self, before: datetime) -> None:
        """Forget tokens that expired before `before`, used or not."""


class LinkRequestRepository(Protocol):
    """When links were asked for, per purpose and key (an address, a user id): the rate limit
    that holds across every process sharing the database."""

    def lock(self, purpose: LinkPurpose, key: str) -> None:
        """Serialise requests for (`purpose`, `key`) until the transaction ends, so a burst
        cannot slip more requests past the limit between counting and recording."""

    def add(self, purpose: LinkPurpose, key: str, at: datetime) -> None: ...

    def since(self, purpose: LinkPurpose, key: str, since: datetime) -> list[datetime]:
        """Times of requests strictly after `since`, oldest first."""

    def prune(self, before: datetime) -> None:
        """Forget requests older than `before`, for every purpose and key."""


class OutboxRepository(Protocol):
    """Messages waiting to go out, written in the unit of work of the change they report."""

    def add(self, mail: OutgoingMail, *, keep: bool = True) -> OutgoingMail:
        """Queue the message; it comes back with its id. `keep=False`: the same statement,
        storing nothing (as above)."""

    def get(self, mail_id: int) -> OutgoingMail | None: ...

    def claim(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[OutgoingMail]:
        """Up to `limit` queued messages due by `now` and held by no live claim, oldest first,
        now held by `worker` until `lease_until`, each with its try counted (a worker killed
        while holding a message has used a try). Concurrent claims never return one message
        twice: PostgreSQL skips the rows another claim has locked; SQLite claims one at a time.
        A claim whose lease ran out (its worker died) is taken over. A message whose bodies
        cannot be read back comes with `unreadable` saying why (see OutgoingMail)."""

    def settle(self, mail: OutgoingMail, worker: str | None = None) -> bool:
        """Write the message's delivery state (status, tries, times, error; the bodies only
        to drop them once it is sent) and free it. With `worker`, only while that worker
        still holds it; False if it no longer does (its lease ran out and another took it
        over)."""

    def find(self, status: MailStatus | None, limit: int) -> list[OutgoingMail]:
        """Newest first; `status` None for every message."""

    def prune(self, before: datetime) -> int:
        """Forget the messages sent or failed that were queued before `before` (their
        recipients with them); queued ones stay. How many went."""

    def expire_links(
        self, recipient: str, now: datetime, purpose: LinkPurpose | None = None
    ) -> None:
        """The links in the messages to `recipient` not sent yet stopped working `now` (their
        tokens died): each such message is given up on as one whose link expired. `purpose`:
        only the messages of that kind (a link's mail has its purpose for kind). A message
        with no link (the notice of an address change) never expires."""


class MailSender(Protocol):
    """Hands one message to the mail system, or raises `DeliveryFailed`."""

    def send(self, mail: OutgoingMail) -> None: ...


class MailTemplates(Protocol):
    """Makes a message's subject, plain text and HTML from the template `name`."""

    def render(self, name: str, values: Mapping[str, str]) -> Letter: ...
