"""Sample data: a small, friendly set for trying Quill, and large volumes for measuring it."""

from __future__ import annotations

import heapq
import math
import random
import secrets
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import accumulate
from typing import TypeVar

from attrs import frozen

from application.ports import Clock, PasswordHasher, UnitOfWork
from application.users import CheckedAccount, Registration, checked_account, register
from domain.comments import Comment
from domain.errors import EmailTaken, InvalidInput
from domain.ids import stored
from domain.posts import Author, Post, slug_of
from domain.users import PasswordRules, Role, User

SAMPLE_ADMIN = "admin@quill.example"
SAMPLE_AUTHORS = (
    ("Ada Lovelace", "ada@quill.example", "Wrote the first program, for an engine not yet built."),
    ("Alan Turing", "alan@quill.example", "Computable numbers, morphogenesis, long runs."),
    ("Grace Hopper", "grace@quill.example", "Compilers, nanoseconds, and asking forgiveness."),
)
# (follower, followed), as indexes into SAMPLE_AUTHORS
SAMPLE_FOLLOWS = ((0, 1), (1, 0), (2, 0), (2, 1))
SAMPLE_TAGS = (
    ("mathematics", "programming", "history"),
    ("mathematics", "science", "philosophy"),
    ("programming", "history", "writing"),
)
SAMPLE_COMMENTS = (
    "Thank you for writing this down.",
    "I had not thought of it that way; more, please.",
    "Bookmarked. The second part especially.",
)
WORDS = [
    "quill",
    "ink",
    "paper",
    "draft",
    "essay",
    "letter",
    "story",
    "notes",
    "garden",
    "river",
    "mountain",
    "coffee",
    "morning",
    "evening",
    "travel",
    "music",
    "code",
    "design",
    "habit",
    "winter",
    "summer",
]
# The bulk tags: topics first, most used first (the popularity below follows this order).
TAG_TOPICS = (
    "programming", "python", "travel", "food", "music", "design", "photography", "books",
    "science", "history", "health", "productivity", "startups", "javascript", "databases",
    "writing", "gardening", "baking", "running", "cooking", "linux", "security", "devops",
    "career", "education", "art", "film", "gaming", "climate", "economics", "politics",
    "parenting", "fitness", "mathematics", "space", "philosophy", "architecture", "cycling",
    "hiking", "poetry",
)  # fmt: skip
TAG_KINDS = ("tips", "news", "notes", "101", "weekly", "life", "ideas")
TAGS = TAG_TOPICS + tuple(f"{topic}-{kind}" for kind in TAG_KINDS for topic in TAG_TOPICS)
COMMON_TAG = TAGS[0]  # the most used tag of any bulk load of a few hundred posts or more
BATCH = 5000
SHAPE_SEED = 17  # the same proportions, popular authors and tags on every run

Progress = Callable[[str, int, int], None]  # (stage, rows stored so far, rows in the stage)
T = TypeVar("T")


@frozen(kw_only=True)
class SeedReport:
    created: bool
    admin_email: str
    admin_password: str | None
    users: int
    posts: int
    follows: int = 0
    favorites: int = 0
    comments: int = 0
    tags: int = 0  # tags on posts, each post's counted


def _password() -> str:
    """Random, yet within the password policy (an upper-case letter and a digit, ASCII's)."""
    return f"Q{secrets.token_urlsafe(12)}7"


def _text(n: int, length: int) -> str:
    return " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(length))


# A bulk post's content, _text(i, 30), depends only on i % len(WORDS): made once each.
_BULK_TEXTS = tuple(_text(n, 30) for n in range(len(WORDS)))


def _author(user: User) -> Author:
    return Author(id=stored(user.id), name=user.name, username=user.username)


@frozen
class SeedSampleData:
    """Safe to run twice: each sample account is added once, with its posts, and the follows,
    favorites and comments those bring; when every account is there, nothing is added."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock

    def __call__(self) -> SeedReport:
        now = self.clock()
        counts = dict.fromkeys(("users", "posts", "follows", "favorites", "comments", "tags"), 0)
        names = {SAMPLE_ADMIN: "Quill Admin", **{email: name for name, email, _ in SAMPLE_AUTHORS}}
        with self.uow.read_only() as uow:
            missing = [email for email in names if uow.users.get_by_email(email) is None]
        # Registered as anyone is, their passwords hashed before the unit that writes them.
        passwords = {email: _password() for email in missing}
        accounts = {
            email: checked_account(
                Registration(email=email, name=names[email], password=passwords[email]),
                self.hasher,
                PasswordRules.COMPOSED,
            )
            for email in missing
        }
        password = None
        with self.uow as uow:
            if self._added(uow, accounts.get(SAMPLE_ADMIN), Role.ADMIN, now):
                password = passwords[SAMPLE_ADMIN]
                counts["users"] += 1
            authors: dict[int, User] = {}
            new_posts: list[tuple[int, Post]] = []  # (sample author, post)
            for n, (_, email, bio) in enumerate(SAMPLE_AUTHORS):
                author = self._added(uow, accounts.get(email), Role.USER, now)
                if author is None:
                    found = uow.users.get_by_email(email)
                    if found is not None:  # each sample account is added once, whatever since
                        authors[n] = found
                    continue
                author = author.change(bio=bio, now=now)
                uow.users.save(author)
                authors[n] = author
                counts["users"] += 1
                for k in range(3):
                    post = uow.posts.add(self._post(author, n, k, now))
                    new_posts.append((n, post))
                    counts["posts"] += 1
                    counts["tags"] += len(post.tags)
            self._follow(uow, authors, new_posts, counts, now)
            if counts["users"]:
                uow.commit()
        return SeedReport(
            created=counts["users"] > 0,
            admin_email=SAMPLE_ADMIN,
            admin_password=password,
            **counts,
        )

    def _follow(
        self,
        uow: UnitOfWork,
        authors: dict[int, User],
        new_posts: list[tuple[int, Post]],
        counts: dict[str, int],
        now: datetime,
    ) -> None:
        """The sample follows that involve an account added now; each follower favorites the
        new published posts of whom they follow, and comments on them."""
        added = {n for n, _ in new_posts}
        for follower, followed in SAMPLE_FOLLOWS:
            if follower not in authors or followed not in authors:
                continue
            fan, author = authors[follower], authors[followed]
            if follower in added or followed in added:
                uow.follows.add(stored(fan.id), stored(author.id), now - timedelta(hours=2))
                counts["follows"] += 1
            for n, post in new_posts:
                if n != followed or not post.published:
                    continue
                uow.favorites.add(stored(fan.id), stored(post.id), now - timedelta(minutes=30))
                body = SAMPLE_COMMENTS[(follower + stored(post.id)) % len(SAMPLE_COMMENTS)]
                written = now - timedelta(minutes=20 - follower)
                uow.comments.add(
                    Comment.write(post=post, author=_author(fan), body=body, now=written)
                )
                counts["favorites"] += 1
                counts["comments"] += 1

    @staticmethod
    def _added(
        uow: UnitOfWork, account: CheckedAccount | None, role: Role, now: datetime
    ) -> User | None:
        """The sample account registered now (no mail: its address is nobody's), or None when
        it was there already (or came meanwhile)."""
        if account is None:
            return None
        try:
            return register(uow, account, now, role)
        except EmailTaken:
            return None

    @staticmethod
    def _post(author: User, n: int, k: int, now: datetime) -> Post:
        word = WORDS[n * 3 + k]
        return Post.write(
            author=_author(author),
            title=f"{author.name.split()[0]}'s {word} notes",
            content=_text(n * 3 + k, 40),
            published=k != 2,
            summary=f"What {author.name.split()[0]} thinks about {word}, in a few paragraphs.",
            tags=SAMPLE_TAGS[n][k:],
            now=now - timedelta(minutes=10 * (n * 3 + k) + 60),
        )


@frozen
class SeedVolume:
    """Bulk load for benchmarks, in one transaction: users; follows (10 to 99 each, a few
    authors followed by many); posts with 0 to 4 tags of a few hundred, a few tags on many
    posts; favorites (about 2 per published post) and comments (about 1 in 2), both heaped
    on a few posts, more so on the popular authors'. Progress per batch of each stage."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock

    POSTS_PER_USER = 100  # users made when only posts are asked for: a post for 1 in 100

    def __call__(
        self, users: int | None, posts: int, progress: Progress = lambda *_: None
    ) -> SeedReport:
        if users is None:
            users = max(1, posts // self.POSTS_PER_USER)
        if posts and not users:
            raise InvalidInput.on("users", "Posts need authors: give at least 1 user.")
        load = BulkLoad(
            users=users,
            posts=posts,
            now=self.clock(),
            password_hash=self.hasher.hash(_password()),
            progress=progress,
        )
        with self.uow as uow:
            report = load.run(uow)
            uow.commit()
        return report


def _heavy_tailed(rng: random.Random, scale: float) -> float:
    """Pareto (shape 1.5) shifted to start at 0, 2 x `scale` on average: truncated to a whole
    number, mostly 0 or 1, now and then hundreds."""
    return scale * (math.pow(1.0 - rng.random(), -1 / 1.5) - 1.0)


def _cumulative_zipf(count: int, offset: float) -> list[float]:
    """Cumulative weights 1 / (rank + offset): the smaller the offset, the more the first
    ranks take."""
    return list(accumulate(1.0 / (rank + offset) for rank in range(count)))


class BulkLoad:
    """The shape of a volume seed, drawn from one seeded generator: users ranked by popularity
    (a shuffle), whom the others follow and whose posts they favorite and comment the more."""

    FOLLOWS_MIN, FOLLOWS_MAX = 10, 100
    TAGS_PER_POST = (0, 1, 2, 3, 4)
    TAGS_PER_POST_WEIGHTS = (15, 25, 30, 20, 10)
    FAVORITES_SCALE, COMMENTS_SCALE = 1.3, 0.4  # about 2 and 0.5 per published post
    POPULAR_BOOST = 3.0  # the top hundredth of authors
    FAVORITES_MAX, COMMENTS_MAX = 10_000, 1_000

    def __init__(
        self, *, users: int, posts: int, now: datetime, password_hash: str, progress: Progress
    ) -> None:
        self.users, self.posts = users, posts
        self.now, self.password_hash, self.progress = now, password_hash, progress
        self.rng = random.Random(SHAPE_SEED)  # noqa: S311  (a shape, not a secret)
        self.run_id = secrets.token_hex(4)  # distinct e-mails and slugs: a second run adds
        self.by_rank: list[int] = []  # user ids, the most popular first
        self.post_ids: array[int] = array("q")
        self.post_author_ranks: array[int] = array("l")

    def run(self, uow: UnitOfWork) -> SeedReport:
        ids = self.store("users", self.users, self.new_users(), uow.users.add_many)
        self.by_rank = self.rng.sample(ids, len(ids))
        follows = tags = favorites = comments = 0
        if ids:
            follows = self.follows(uow)
            tags = self.posts_with_tags(uow)
            favorites = self.favorites(uow)
            comments = self.comments(uow)
        return SeedReport(
            created=True, admin_email="", admin_password=None, users=len(ids),
            posts=len(self.post_ids), follows=follows, favorites=favorites, comments=comments,
            tags=tags,
        )  # fmt: skip

    def store(
        self,
        stage: str,
        total: int,
        rows: Iterable[T],
        add: Callable[[Iterable[T]], list[int] | None],
    ) -> list[int]:
        """Hands every row to `add` in one call, reporting progress as it takes them (each
        BATCH rows); returns the ids `add` returns, if it does. One call, not one per batch:
        a repository then moves each kept count once (a popular author's, say)."""
        return add(self._reporting(stage, total, rows)) or []

    def _reporting(self, stage: str, total: int, rows: Iterable[T]) -> Iterator[T]:
        done = 0
        for row in rows:
            yield row
            done += 1
            if done % BATCH == 0:
                self.progress(stage, done, total)
        if done % BATCH:
            self.progress(stage, done, total)

    # --- users -----------------------------------------------------------------------------

    def new_users(self) -> Iterator[User]:
        """Older than every post: user i joins i seconds after user i-1."""
        start = self.now - timedelta(seconds=self.posts + self.users)
        for i in range(self.users):
            yield User.register(
                email=f"user{i}-{self.run_id}@seed.example",
                name=f"Seed User {i} {self.run_id}",
                username=f"seed_{self.run_id}_{i}",
                password_hash=self.password_hash,
                now=start + timedelta(seconds=i),
            )

    # --- follows ---------------------------------------------------------------------------

    def follows(self, uow: UnitOfWork) -> int:
        n = len(self.by_rank)
        wanted = [self.follow_count(n) for _ in range(n)]
        total = sum(wanted)
        self.store("follows", total, self.new_follows(wanted), uow.follows.add_many)
        return total

    def follow_count(self, n: int) -> int:
        """10 to 99, 25 on average: 10 / U with U uniform on (0.1, 1]."""
        drawn = int(self.FOLLOWS_MIN / (1.0 - 0.9 * self.rng.random()))
        return min(drawn, self.FOLLOWS_MAX, n - 1)

    def new_follows(self, wanted: list[int]) -> Iterator[tuple[int, int, datetime]]:
        n = len(self.by_rank)
        weights = _cumulative_zipf(n, offset=10)  # the first few: a quarter of all follow them
        for rank, count in enumerate(wanted):
            if count == 0:
                continue
            since = self.now - timedelta(seconds=self.rng.randrange(self.posts + 1))
            follower = self.by_rank[rank]
            for followed in self.followed_ranks(rank, count, weights):
                yield follower, self.by_rank[followed], since

    def followed_ranks(self, rank: int, count: int, weights: list[float]) -> list[int]:
        """`count` distinct others, each drawn with weight 1 / (rank + 10)."""
        n = len(weights)
        if count * 2 >= n:  # few users: weighted sampling without replacement, by random keys
            others = (r for r in range(n) if r != rank)
            return heapq.nlargest(count, others, key=lambda r: self.rng.random() ** (r + 10))
        chosen: dict[int, None] = {}  # distinct, in the order drawn
        while len(chosen) < count:
            for r in self.rng.choices(range(n), cum_weights=weights, k=count - len(chosen)):
                if r != rank:
                    chosen[r] = None
        return list(chosen)

    # --- posts and their tags --------------------------------------------------------------

    def posts_with_tags(self, uow: UnitOfWork) -> int:
        n = len(self.by_rank)
        # Authors: the popular write more; the top hundred a tenth of a million posts, the
        # least active one or two each.
        self.post_author_ranks = array(
            "l", self.rng.choices(range(n), cum_weights=_cumulative_zipf(n, 100), k=self.posts)
        )
        tag_weights = _cumulative_zipf(len(TAGS), offset=1)
        uses = [0]
        rows = (
            self.new_post(i, self.by_rank[rank], self.tags_of_post(tag_weights, uses))
            for i, rank in enumerate(self.post_author_ranks)
        )
        self.post_ids = array("q", self.store("posts", self.posts, rows, uow.posts.add_many))
        return uses[0]

    def tags_of_post(self, weights: list[float], uses: list[int]) -> tuple[str, ...]:
        """Distinct tags, the first of the vocabulary the most often; `uses` adds them up."""
        count = self.rng.choices(self.TAGS_PER_POST, self.TAGS_PER_POST_WEIGHTS)[0]
        chosen: dict[str, None] = {}
        while len(chosen) < count:
            chosen[TAGS[self.rng.choices(range(len(TAGS)), cum_weights=weights)[0]]] = None
        uses[0] += count
        return tuple(chosen)

    def new_post(self, i: int, author_id: int, tags: tuple[str, ...]) -> Post:
        """Post i is written i seconds before now; one in ten is a draft. The title and the
        content are what the benchmark's searches count on (bench/README.md). Valid by
        construction, so built directly: Post.write's checks cost more than the insert here."""
        title = f"Post {i}: {WORDS[i % len(WORDS)]}"
        stamp = self.now - timedelta(seconds=i)
        published = self.published(i)
        return Post(
            id=None,
            author=Author(id=author_id, name=""),
            title=title,
            content=_BULK_TEXTS[i % len(WORDS)],
            published=published,
            published_at=stamp if published else None,
            created_at=stamp,
            updated_at=stamp,
            # add_many stores slugs as given: the title's number and the run's id make it unique
            slug=f"{slug_of(title)}-{self.run_id}",
            tags=tags,
        )

    @staticmethod
    def published(i: int) -> bool:
        return i % 10 != 0

    # --- favorites and comments ------------------------------------------------------------

    def per_post(self, scale: float, most: int) -> array[int]:
        """How many each post gets: none on drafts, more on the popular authors' posts (the
        top hundredth), the same on average per published post whatever the volume."""
        popular = max(1, len(self.by_rank) // 100)
        published = [rank for i, rank in enumerate(self.post_author_ranks) if self.published(i)]
        boosted = sum(1 for rank in published if rank < popular)
        plain = scale / (1 + (self.POPULAR_BOOST - 1) * boosted / max(1, len(published)))
        counts = array("l")
        for i, rank in enumerate(self.post_author_ranks):
            if not self.published(i):
                counts.append(0)
                continue
            boost = self.POPULAR_BOOST if rank < popular else 1.0
            counts.append(min(int(_heavy_tailed(self.rng, plain * boost)), most))
        return counts

    def since_post(self, i: int) -> datetime:
        """A moment between post i's publication and now."""
        return self.now - timedelta(seconds=self.rng.randrange(i + 1))

    def favorites(self, uow: UnitOfWork) -> int:
        counts = self.per_post(self.FAVORITES_SCALE, min(self.FAVORITES_MAX, len(self.by_rank) - 1))
        total = sum(counts)
        self.store("favorites", total, self.new_favorites(counts), uow.favorites.add_many)
        return total

    def new_favorites(self, counts: array[int]) -> Iterator[tuple[int, int, datetime]]:
        n = len(self.by_rank)
        for i, count in enumerate(counts):
            if count == 0:
                continue
            author = self.post_author_ranks[i]
            fans = [f for f in self.rng.sample(range(n), min(count + 1, n)) if f != author]
            for fan in fans[:count]:
                yield self.by_rank[fan], self.post_ids[i], self.since_post(i)

    def comments(self, uow: UnitOfWork) -> int:
        counts = self.per_post(self.COMMENTS_SCALE, self.COMMENTS_MAX)
        total = sum(counts)
        self.store("comments", total, self.new_comments(counts), uow.comments.add_many)
        return total

    def new_comments(self, counts: array[int]) -> Iterator[Comment]:
        n = len(self.by_rank)
        for i, count in enumerate(counts):
            for _ in range(count):
                written = self.since_post(i)
                body = " ".join(self.rng.choices(WORDS, k=self.rng.randint(3, 40)))
                yield Comment(
                    id=None,
                    post_id=self.post_ids[i],
                    author=Author(id=self.by_rank[self.rng.randrange(n)], name=""),
                    body=body.capitalize() + ".",
                    created_at=written,
                    updated_at=written,
                )
