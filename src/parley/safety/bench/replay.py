"""Replay a planned community against a running server through its public APIs only.

Simulated time advances in ticks; each tick runs as fast as the server answers, and waits
for the server's own work (the accurate screening tier before fan-out) to settle. Members'
and moderators' delays are simulated minutes; the server's sub-second screening latency is
not scaled up (it is measured in real seconds instead)."""

from __future__ import annotations

import heapq
import math
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from parley.safety.bench.client import APIError, Client
from parley.safety.bench.community import Community, PlannedPost

SESSIONS_PER_DAY = 4.0  # timeline reads per member per day (scaled by activity)
PUBLIC_TIMELINE_SHARE = 0.3
ECHO_PROBABILITY = 0.03  # per view of another member's post (more for popular authors)
FALSE_REPORT_PROBABILITY = 0.002  # per view of a benign post
REPORT_DELAY_MEDIAN_MINUTES = 20.0
NOTICE_DELAY_MEDIAN_MINUTES = 6 * 60.0
SETTLE_TIMEOUT_SECONDS = 20.0


@dataclass
class ReplayOptions:
    moderators: int = 2
    moderator_pace: float = 120.0  # simulated seconds per case
    moderator_error: float = 0.05
    report_probability: float = 0.05  # per member who sees a violent post
    notice_share: float = 0.3  # of violent posts seen by anyone, the abuse desk sends a notice
    tick_minutes: float = 10.0
    seed: int = 1
    threads: int = 4


@dataclass
class PostRecord:
    plan: PlannedPost
    id: str | None = None
    url: str | None = None
    rejected: bool = False
    held_by_screening: bool = False
    distributed: bool = False  # reached timelines: publicly visible
    settled: bool = False
    screening_seconds: float | None = None  # real seconds from posting to held/distributed
    posted_at: float = 0.0  # time.monotonic() when the bench posted it
    actioned_minute: float | None = None
    action: str | None = None  # hold | remove | reject | server
    removed_by_moderator: bool = False
    views: int = 0
    views_before_action: int = 0
    first_view_minute: float | None = None
    reports: int = 0
    first_report_minute: float | None = None
    notice_minute: float | None = None
    echoed_by: set[int] = field(default_factory=set)

    @property
    def violent(self) -> bool:
        return self.plan.violent

    def actioned_by(self, minute: float) -> bool:
        return self.actioned_minute is not None and self.actioned_minute <= minute

    def mark_actioned(self, minute: float, action: str) -> None:
        if self.actioned_minute is None or minute < self.actioned_minute:
            self.actioned_minute = minute
            self.action = action


@dataclass
class Moderator:
    name: str
    token: str
    busy_until: float = 0.0
    decisions: int = 0


@dataclass
class Replay:
    """The state of one run; ``metrics.summarise`` turns it into numbers."""

    community: Community
    options: ReplayOptions
    posts: list[PostRecord]
    by_id: dict[str, PostRecord] = field(default_factory=dict)
    backlog: list[dict] = field(default_factory=list)
    timeline_reads: int = 0
    reports_sent: int = 0
    false_reports_sent: int = 0
    notices_sent: int = 0
    echoes: int = 0
    decisions: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    case_details: dict[str, dict] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    real_seconds: float = 0.0
    requests: int = 0


class Replayer:
    def __init__(self, client: Client, community: Community, tokens: dict,
                 options: ReplayOptions) -> None:
        self.client = client
        self.community = community
        self.options = options
        self.rng = random.Random(options.seed * 7919 + 1)
        self.member_tokens = [tokens["members"][m.username] for m in community.members]
        self.observer = tokens["observer"]
        self.notifier = tokens["notifier"]
        self.tokens_member_ids = tokens["member_ids"]
        self.moderators = [Moderator(name, token)
                           for name, token in sorted(tokens["moderators"].items())]
        self.state = Replay(community, options, [PostRecord(p) for p in community.posts])
        self.events: list[tuple[float, int, str, int]] = []  # (minute, seq, kind, post index)
        self._seq = 0
        self.mean_activity = (sum(m.activity for m in community.members)
                              / max(1, len(community.members)))
        self.followers = [0] * len(community.members)
        for member in community.members:
            for target in member.follows:
                self.followers[target] += 1
        self.pool = ThreadPoolExecutor(options.threads)

    # -- the loop ---------------------------------------------------------------------------

    def run(self, on_tick: Callable[[float], None] | None = None) -> Replay:
        started = time.monotonic()
        tick = self.options.tick_minutes
        end = self.community.hours * 60
        next_post = 0
        minute = 0.0
        try:
            while minute < end:
                tick_end = min(end, minute + tick)
                due = []
                while next_post < len(self.state.posts) and \
                        self.state.posts[next_post].plan.minute < tick_end:
                    due.append(self.state.posts[next_post])
                    next_post += 1
                self._create_posts(due)
                self._settle(due)
                self._send_due_events(tick_end)
                self._read_timelines(minute, tick_end)
                self._sample_backlog(tick_end)  # what the moderators find waiting
                self._moderate(minute, tick_end)
                if math.floor(tick_end / 60) > math.floor(minute / 60) or tick_end >= end:
                    self._check_unactioned(tick_end)
                minute = tick_end
                if on_tick:
                    on_tick(minute)
            self._collect_cases()
        finally:
            self.pool.shutdown(wait=True)
        self.state.real_seconds = time.monotonic() - started
        self.state.requests = self.client.requests
        return self.state

    def _schedule(self, minute: float, kind: str, index: int) -> None:
        self._seq += 1
        heapq.heappush(self.events, (minute, self._seq, kind, index))

    def _lognormal_minutes(self, median: float) -> float:
        return median * math.exp(self.rng.gauss(0, 0.8))

    # -- members post ------------------------------------------------------------------------

    def _create_posts(self, due: list[PostRecord]) -> None:
        def create(record: PostRecord) -> tuple[PostRecord, dict | None, float, str | None]:
            token = self.member_tokens[record.plan.author]
            started = time.monotonic()
            try:
                status = self.client.post("/api/v1/statuses", token,
                                          {"status": record.plan.text, "visibility": "public"})
                return record, status, started, None
            except APIError as error:
                return record, None, started, f"{error.status}: {error.body}"

        for record, status, started, error in self.pool.map(create, due):
            if status is None:
                if error and error.startswith("422"):  # screening rejected it at the door
                    record.rejected = record.settled = True
                    record.mark_actioned(record.plan.minute, "reject")
                else:
                    self.state.errors.append(f"post {record.plan.index}: {error}")
                continue
            record.id, record.url = status["id"], status.get("url")
            record.posted_at = started
            self.state.by_id[record.id] = record
            self._apply_author_view(record, status)

    def _apply_author_view(self, record: PostRecord, status: dict) -> None:
        parley = status.get("parley")
        if parley and parley.get("state") == "held":
            record.held_by_screening = record.settled = True
            record.mark_actioned(record.plan.minute, "hold")
        elif not parley:  # published and distributed: in timelines
            record.distributed = record.settled = True
        else:
            return
        record.screening_seconds = round(time.monotonic() - record.posted_at, 3)

    def _settle(self, due: list[PostRecord]) -> None:
        """Wait for the accurate tier: each new post is held or distributed before time moves."""
        waiting = [r for r in due if r.id and not r.settled]
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while waiting and time.monotonic() < deadline:
            time.sleep(0.05)

            def look(record: PostRecord) -> tuple[PostRecord, dict | None]:
                try:
                    return record, self.client.get(f"/api/v1/statuses/{record.id}",
                                                   self.member_tokens[record.plan.author])
                except APIError:
                    return record, None

            for record, status in self.pool.map(look, waiting):
                if status is not None:
                    self._apply_author_view(record, status)
            waiting = [r for r in waiting if not r.settled]
        for record in waiting:
            self.state.errors.append(f"post {record.id} neither held nor distributed in "
                                     f"{SETTLE_TIMEOUT_SECONDS:g} s")

    # -- members read, echo and report ----------------------------------------------------

    def _read_timelines(self, minute: float, tick_end: float) -> None:
        span = tick_end - minute
        readers = []
        for member in self.community.members:
            rate = SESSIONS_PER_DAY * span / 1440 * member.activity / self.mean_activity
            if self.rng.random() < min(1.0, rate):
                public = self.rng.random() < PUBLIC_TIMELINE_SHARE
                readers.append((member.index, public, minute + self.rng.uniform(0, span)))

        def read(reader: tuple[int, bool, float]) -> tuple[int, float, list[dict]]:
            index, public, at = reader
            token = self.member_tokens[index]
            path = "/api/v1/timelines/public" if public else "/api/v1/timelines/home"
            try:
                return index, at, self.client.get(path, token, limit=20)
            except APIError as error:
                self.state.errors.append(f"read {path}: {error}")
                return index, at, []

        for index, at, statuses in self.pool.map(read, readers):
            self.state.timeline_reads += 1
            for status in statuses or []:
                original = status.get("reblog") or status
                record = self.state.by_id.get(original["id"])
                if record is not None:
                    self._view(index, record, at)

    def _view(self, reader: int, record: PostRecord, minute: float) -> None:
        record.views += 1
        if not record.actioned_by(minute):
            record.views_before_action += 1
        if record.first_view_minute is None:
            record.first_view_minute = minute
            if record.violent and self.rng.random() < self.options.notice_share:
                delay = self._lognormal_minutes(NOTICE_DELAY_MEDIAN_MINUTES)
                self._schedule(minute + delay, "notice", record.plan.index)
        if reader == record.plan.author:
            return
        report_p = (self.options.report_probability if record.violent
                    else FALSE_REPORT_PROBABILITY)
        if self.rng.random() < report_p:
            delay = self._lognormal_minutes(REPORT_DELAY_MEDIAN_MINUTES)
            self._schedule(minute + delay, f"report:{reader}", record.plan.index)
        popularity = 1 + math.log1p(self.followers[record.plan.author])
        if reader not in record.echoed_by and \
                self.rng.random() < ECHO_PROBABILITY * popularity / 3:
            record.echoed_by.add(reader)
            try:
                self.client.post(f"/api/v1/statuses/{record.id}/reblog",
                                 self.member_tokens[reader])
                self.state.echoes += 1
            except APIError:
                pass  # removed or held meanwhile: nothing to echo

    def _send_due_events(self, tick_end: float) -> None:
        while self.events and self.events[0][0] < tick_end:
            minute, _, kind, index = heapq.heappop(self.events)
            record = self.state.posts[index]
            if kind == "notice":
                self._send_notice(record, minute)
            else:
                self._send_report(record, int(kind.split(":")[1]), minute)

    def _send_report(self, record: PostRecord, reporter: int, minute: float) -> None:
        author_id = self._account_id(record)
        try:
            self.client.post("/api/v1/reports", self.member_tokens[reporter], {
                "account_id": author_id, "status_ids": [record.id],
                "category": "violation" if record.violent else "other",
                "comment": "This calls for violence." if record.violent else "I don't like it.",
            })
        except APIError as error:
            if error.status != 404:  # a removed post cannot be reported any more
                self.state.errors.append(f"report: {error}")
            return
        record.reports += 1
        if record.violent:
            self.state.reports_sent += 1
        else:
            self.state.false_reports_sent += 1
        if record.first_report_minute is None:
            record.first_report_minute = minute

    def _account_id(self, record: PostRecord) -> str:
        ids = self.tokens_member_ids
        return ids[self.community.members[record.plan.author].username]

    def _send_notice(self, record: PostRecord, minute: float) -> None:
        if record.actioned_by(minute) or not record.url:
            return  # the abuse desk finds it already gone
        try:
            self.client.post("/api/parley/v1/notices", self.notifier, {
                "url": record.url, "category": "violence",
                "explanation": "A customer complaint: this post calls for violence.",
            })
        except APIError as error:
            self.state.errors.append(f"notice: {error}")
            return
        self.state.notices_sent += 1
        record.notice_minute = minute
        if record.first_report_minute is None:
            record.first_report_minute = minute

    # -- moderators ----------------------------------------------------------------------

    def _moderate(self, minute: float, tick_end: float) -> None:
        for moderator in self.moderators:
            moderator.busy_until = max(moderator.busy_until, minute)
            while moderator.busy_until < tick_end:
                if not self._decide_next(moderator, minute):
                    break

    def _decide_next(self, moderator: Moderator, tick_start: float) -> bool:
        """Claim the first unclaimed case of the queue and decide it; False if none."""
        queue = self.client.get("/api/parley/v1/cases", moderator.token, limit=40)
        for case in queue:
            if case.get("claimed_by_id"):
                continue
            try:
                self.client.post(f"/api/parley/v1/cases/{case['id']}/claim", moderator.token)
            except APIError as error:
                if error.status == 409:
                    continue
                raise
            self._decide(moderator, case, tick_start)
            return True
        return False

    def _decide(self, moderator: Moderator, case: dict, tick_start: float) -> None:
        record = self.state.by_id.get(case.get("status_id") or "")
        # Within a tick, a case cannot be worked before its post (or this tick's first report
        # of it, which may be what opened it) exists in simulated time.
        ready = 0.0
        if record is not None:
            ready = record.plan.minute
            if record.first_report_minute is not None and record.first_report_minute >= tick_start:
                ready = max(ready, record.first_report_minute)
        decided_at = max(moderator.busy_until, ready) + self.options.moderator_pace / 60
        moderator.busy_until = decided_at
        moderator.decisions += 1
        wrong = self.rng.random() < self.options.moderator_error
        if record is None:  # an account, an echo or a post the bench did not write
            kind = "close"
        elif record.violent != wrong:
            kind = "remove"
        else:
            kind = "release" if record.held_by_screening else "dismiss"
        path = f"/api/parley/v1/cases/{case['id']}"
        try:
            if kind == "close":
                self.client.post(f"{path}/close", moderator.token, {"reason": "Not for us"})
            else:
                self.client.post(f"{path}/actions", moderator.token, {
                    "kind": kind, "category": "violence",
                    "reason": "Calls for violence." if kind == "remove" else "No violation.",
                })
        except APIError as error:
            self.state.errors.append(f"decide {kind} on case {case['id']}: {error}")
            return
        self.state.decisions.append({"case": case["id"], "kind": kind, "minute": decided_at,
                                     "moderator": moderator.name, "wrong": wrong,
                                     "violent": record.violent if record else None})
        if record is not None and kind == "remove":
            record.removed_by_moderator = True
            record.mark_actioned(decided_at, "remove")

    # -- observation -----------------------------------------------------------------------

    def _sample_backlog(self, minute: float) -> None:
        token = self.moderators[0].token if self.moderators else None
        if token is None:
            return
        open_cases = self._all_cases(token, "open")
        self.state.backlog.append({
            "hour": round(minute / 60, 3), "open": len(open_cases),
            "unclaimed": sum(1 for c in open_cases if not c.get("claimed_by_id")),
        })

    def _all_cases(self, token: str, state: str) -> list[dict]:
        cases: list[dict] = []
        while True:
            page = self.client.get("/api/parley/v1/cases", token, state=state, limit=200,
                                   offset=len(cases))
            cases.extend(page)
            if len(page) < 200:
                return cases

    def _check_unactioned(self, minute: float) -> None:
        """Violent posts the bench did not see actioned: did the server act on its own?"""
        for record in self.state.posts:
            if not (record.violent and record.id) or record.actioned_minute is not None:
                continue
            if record.plan.minute >= minute:
                continue
            try:
                self.client.get(f"/api/v1/statuses/{record.id}", self.observer)
            except APIError as error:
                if error.status == 404:
                    record.mark_actioned(minute, "server")

    def _collect_cases(self) -> None:
        if not self.moderators:
            return
        token = self.moderators[0].token
        self.state.cases = self._all_cases(token, "all")
        for case in self.state.cases:
            record = self.state.by_id.get(case.get("status_id") or "")
            if record is not None and record.violent:
                detail = self.client.get(f"/api/parley/v1/cases/{case['id']}", token)
                self.state.case_details[case["id"]] = {
                    "notices": [{"source": n["source"], "created_at": n["created_at"]}
                                for n in detail.get("notices", [])],
                }
