"""The replayed community, planned up front from a seed: members, follows, posts and texts."""

from __future__ import annotations

import gzip
import json
import math
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

DATASET_FILES = ("parley-safety-v1.jsonl.gz", "edos-sexism-threats.jsonl.gz")
# Benign text that a naive filter confuses with violence or hate: news about attacks,
# sport and games, quotes, counter-speech, statements about identity.
HARD_BENIGN = re.compile(
    r"\b(kill|shoot|shot|attack|bomb|war|fight|gun|dead|die|murder|hang|destroy|beat|"
    r"game|match|team|muslim|jew|black|gay|trans|immigra|refugee|women|racis)\w*",
    re.IGNORECASE,
)
HARD_BENIGN_SHARE = 0.3
# The server screens posting velocity (20 posts in 10 real minutes); a whole day replayed in
# minutes would trip it for heavy posters, an artifact of compression, so posts are capped.
MAX_POSTS_PER_MEMBER_PER_DAY = 15
POSTS_PER_MEMBER_PER_DAY = 4.0
VIOLENT_PRONE_SHARE = 0.1
OLD_ACCOUNT_SHARE = 0.7


class DatasetMissing(Exception):
    pass


@dataclass
class Text:
    text: str
    label: str  # violent | benign | hard_benign
    source: str


@dataclass
class Member:
    index: int
    username: str
    age_days: float  # 0 for accounts made today
    activity: float  # relative posting and reading rate
    violent_prone: bool
    follows: list[int] = field(default_factory=list)


@dataclass
class PlannedPost:
    index: int
    author: int
    minute: float  # simulated minutes from the start
    text: str
    label: str
    source: str

    @property
    def violent(self) -> bool:
        return self.label == "violent"


@dataclass
class Community:
    members: list[Member]
    posts: list[PlannedPost]
    hours: float

    def seed_spec(self, moderators: int, prefix: str) -> dict:
        """What the seeding step inside the server's environment needs (no texts)."""
        return {
            "prefix": prefix,
            "moderators": moderators,
            "members": [
                {"username": m.username, "age_days": m.age_days, "follows": m.follows}
                for m in self.members
            ],
        }

    def as_dict(self) -> dict:
        return {"members": [asdict(m) for m in self.members],
                "posts": [asdict(p) for p in self.posts], "hours": self.hours}


def find_datasets(given: str | None) -> Path:
    here = Path(__file__).resolve()
    candidates = [Path(given)] if given else [
        Path.cwd() / "../shared/datasets",
        *(parent / "shared" / "datasets" for parent in here.parents),
    ]
    for path in candidates:
        if (path / DATASET_FILES[0]).exists():
            return path.resolve()
    where = given or "../shared/datasets"
    raise DatasetMissing(f"No {DATASET_FILES[0]} in {where}: pass --data DIR")


def load_eval_texts(directory: Path) -> dict[str, list[Text]]:
    """Eval rows only (never train): violent, benign (neither violent nor hateful), hard benign.

    Rows labelled hateful but not violent are left out: they violate another category, and
    this bench measures violence."""
    texts: dict[str, list[Text]] = {"violent": [], "benign": [], "hard_benign": []}
    seen: set[str] = set()
    for name in DATASET_FILES:
        path = directory / name
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as rows:
            for line in rows:
                row = json.loads(line)
                text = " ".join(row["text"].split())
                if row["split"] != "eval" or not text or text in seen or len(text) > 480:
                    continue
                seen.add(text)
                source = ",".join(row.get("sources") or [name])
                if row.get("violence") == 1:
                    texts["violent"].append(Text(text, "violent", source))
                elif row.get("violence") == 0 and row.get("hate") == 0:
                    label = "hard_benign" if HARD_BENIGN.search(text) else "benign"
                    texts[label].append(Text(text, label, source))
    if not texts["violent"] or not texts["benign"]:
        raise DatasetMissing(f"No labelled eval rows in {directory}")
    return texts


def plan_community(texts: dict[str, list[Text]], *, members: int, hours: float,
                   violent_share: float, seed: int, prefix: str = "b",
                   posts_per_day: float = POSTS_PER_MEMBER_PER_DAY) -> Community:
    rng = random.Random(seed)
    people = [_member(rng, i, prefix) for i in range(members)]
    _follow_graph(rng, people)
    posts = _posts(rng, people, texts, hours, violent_share, posts_per_day)
    return Community(people, posts, hours)


def _member(rng: random.Random, index: int, prefix: str) -> Member:
    old = rng.random() < OLD_ACCOUNT_SHARE
    return Member(
        index=index,
        username=f"{prefix}{index:04d}",
        age_days=round(rng.uniform(2, 900), 1) if old else 0.0,
        activity=min(rng.paretovariate(1.6), 20.0),
        violent_prone=rng.random() < VIOLENT_PRONE_SHARE,
    )


def _follow_graph(rng: random.Random, people: list[Member]) -> None:
    """Preferential attachment: popular accounts gain followers faster (a power law)."""
    followers = [1] * len(people)
    for member in people:
        wanted = min(len(people) - 1, int(rng.paretovariate(1.2) * 4))
        chosen: set[int] = set()
        for _ in range(wanted * 4):
            if len(chosen) >= wanted:
                break
            target = rng.choices(range(len(people)), weights=followers)[0]
            if target != member.index:
                chosen.add(target)
        for target in chosen:
            followers[target] += 1
        member.follows = sorted(chosen)


def _posts(rng: random.Random, people: list[Member], texts: dict[str, list[Text]],
           hours: float, violent_share: float, posts_per_day: float) -> list[PlannedPost]:
    days = hours / 24
    cap = max(1, int(max(MAX_POSTS_PER_MEMBER_PER_DAY, 2 * posts_per_day) * days))
    mean_activity = sum(m.activity for m in people) / len(people)
    slots: list[tuple[float, int]] = []
    for member in people:
        expected = posts_per_day * days * member.activity / mean_activity
        count = min(cap, _poisson(rng, expected))
        slots.extend((_diurnal_minute(rng, hours), member.index) for _ in range(count))
    slots.sort()
    violent_count = round(violent_share * len(slots))
    prone = [i for i, (_, author) in enumerate(slots) if people[author].violent_prone]
    others = [i for i in range(len(slots)) if i not in set(prone)]
    rng.shuffle(prone)
    rng.shuffle(others)
    violent_slots = set((prone + others)[:violent_count])
    pools = {label: rng.sample(pool, len(pool)) for label, pool in texts.items()}
    posts = []
    for i, (minute, author) in enumerate(slots):
        if i in violent_slots:
            label = "violent"
        elif rng.random() < HARD_BENIGN_SHARE and pools["hard_benign"]:
            label = "hard_benign"
        else:
            label = "benign"
        pool = pools[label] or pools["benign"]
        text = pool.pop() if pool else rng.choice(texts[label])
        posts.append(PlannedPost(i, author, round(minute, 2), text.text, text.label, text.source))
    return posts


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is fine for the small means here
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _diurnal_minute(rng: random.Random, hours: float) -> float:
    """A posting time, more likely in the evening than at night (rejection sampling)."""
    while True:
        minute = rng.uniform(0, hours * 60)
        hour_of_day = (minute / 60) % 24
        weight = 0.55 + 0.45 * math.sin((hour_of_day - 9) / 24 * 2 * math.pi)
        if rng.random() < weight:
            return minute
