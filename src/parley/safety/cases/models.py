"""Notices, cases, notifiers and instance rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NoticeSource(models.TextChoices):
    MEMBER = "member"
    PUBLIC = "public"
    HOSTING_PROVIDER = "hosting_provider"
    TRUSTED_FLAGGER = "trusted_flagger"
    AUTHORITY = "authority"
    SCREENING = "screening"


class CaseState(models.TextChoices):
    OPEN = "open"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    APPEALED = "appealed"
    CLOSED = "closed"


CASE_TRANSITIONS: dict[str, set[str]] = {
    CaseState.OPEN: {CaseState.IN_REVIEW, CaseState.DECIDED, CaseState.CLOSED},
    CaseState.IN_REVIEW: {CaseState.OPEN, CaseState.DECIDED, CaseState.CLOSED},
    CaseState.DECIDED: {CaseState.APPEALED, CaseState.CLOSED, CaseState.OPEN},
    CaseState.APPEALED: {CaseState.DECIDED, CaseState.CLOSED, CaseState.OPEN},
    CaseState.CLOSED: {CaseState.OPEN},
}
OPEN_STATES = (CaseState.OPEN, CaseState.IN_REVIEW)


class InstanceRule(models.Model):
    text = models.CharField(max_length=300)
    hint = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Notifier(models.Model):
    """An outside party with an API token: an abuse desk, trusted flagger or authority."""

    class Kind(models.TextChoices):
        HOSTING_PROVIDER = "hosting_provider"
        TRUSTED_FLAGGER = "trusted_flagger"
        AUTHORITY = "authority"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    unfounded_count = models.PositiveIntegerField(default=0)
    founded_count = models.PositiveIntegerField(default=0)
    suspended_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()


class Case(models.Model):
    """Everything known about one post or account: its notices and screening results."""

    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cases_about"
    )
    category = models.CharField(max_length=64, default="other")
    state = models.CharField(max_length=12, choices=CaseState.choices, default=CaseState.OPEN)
    priority = models.FloatField(default=0.0, db_index=True)
    confidence = models.FloatField(default=0.0)
    deadline = models.DateTimeField()
    escalated = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # A legal hold keeps removed content past the preservation window (lawful requests).
    legal_hold = models.BooleanField(default=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="claimed_cases",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="decided_cases",
    )
    # Screening results: [{"tier", "category", "score", "reason", "scores": {...}}]
    screening = models.JSONField(default=list)
    # Set on model cases (opened by a score alone): the expected harm that let them in.
    # These are the cases PARLEY_REVIEW_BUDGET counts.
    expected_harm = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "-priority"]),
                   models.Index(fields=["opened_at"], name="case_opened_at_idx")]


class WatchedPost(models.Model):
    """A post whose model score alone was not worth a case yet (expected harm below the bar).

    Re-scored when it is echoed, replied to or liked (and by the periodic job); a case opens
    when it spreads above the bar or when anyone reports it."""

    class State(models.TextChoices):
        WATCHING = "watching"
        CASE_OPENED = "case_opened"  # spread above the bar
        REPORTED = "reported"  # a case opened another way (a report, a notice) took it over

    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=64)
    score = models.FloatField()
    expected_harm = models.FloatField()
    # The screening result, as a case stores it, so the case that may follow has the evidence.
    screening = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.WATCHING)
    watched_at = models.DateTimeField(default=timezone.now, db_index=True)
    rescored_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")


class Notice(models.Model):
    """One report or notice. Ten reports on one post are one case with ten notices."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    source = models.CharField(max_length=20, choices=NoticeSource.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    notifier = models.ForeignKey(
        Notifier, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    category = models.CharField(max_length=64, default="other")
    reported_category = models.CharField(max_length=20, blank=True)  # Mastodon's category
    comment = models.TextField(blank=True)
    url = models.URLField(blank=True, max_length=1000)
    rule_ids = models.JSONField(default=list)
    post_ids = models.JSONField(default=list)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    good_faith = models.BooleanField(default=False)
    removal_order = models.BooleanField(default=False)
    deadline = models.DateTimeField(null=True, blank=True)
    receipt = models.CharField(max_length=32, unique=True)
    outcome = models.CharField(max_length=32, blank=True)  # actioned | rejected | pending
    outcome_text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)


class ActionKind(models.TextChoices):
    REMOVE = "remove"
    RESTORE = "restore"
    HOLD = "hold"
    RELEASE = "release"
    CONTENT_WARNING = "content_warning"
    LIMIT_REACH = "limit_reach"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    STRIKE = "strike"
    DISMISS = "dismiss"


# Actions that restrict someone and so need a statement of reasons (DSA Art. 17).
RESTRICTIONS = {ActionKind.REMOVE, ActionKind.HOLD, ActionKind.CONTENT_WARNING,
                ActionKind.LIMIT_REACH, ActionKind.SUSPEND, ActionKind.STRIKE}


class CaseAction(models.Model):
    """One action a moderator (or the policy, automatically) took on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.CharField(max_length=64)
    reason = models.TextField(blank=True)
    automated = models.BooleanField(default=False)
    content_warning = models.CharField(max_length=500, blank=True)
    # Applied to the whole account although the case is about one post (Mastodon's
    # account actions on a report).
    on_account = models.BooleanField(default=False)
    ends_at = models.DateTimeField(null=True, blank=True)
    # Set when a timed sanction ran out by itself.
    expired_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)


class StatementOfReasons(models.Model):
    """DSA Art. 17: why a restriction was imposed and how to contest it."""

    action = models.OneToOneField(CaseAction, on_delete=models.CASCADE, related_name="statement")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="statements"
    )
    decision_visibility = models.CharField(max_length=64, blank=True)
    decision_account = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=80)  # DSA STATEMENT_CATEGORY_*
    content_type = models.CharField(max_length=40, default="CONTENT_TYPE_TEXT")
    source_type = models.CharField(max_length=40)  # SOURCE_ARTICLE_16, SOURCE_VOLUNTARY...
    automated_detection = models.BooleanField(default=False)
    automated_decision = models.CharField(max_length=40, default="AUTOMATED_DECISION_NOT_AUTOMATED")
    facts = models.TextField()
    ground = models.CharField(max_length=40, default="DECISION_GROUND_INCOMPATIBLE_CONTENT")
    policy_ground = models.TextField()
    legal_ground = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    content_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    puid = models.CharField(max_length=64, unique=True)


class Appeal(models.Model):
    """DSA Art. 20: a request to reverse a decision, decided by another moderator."""

    class State(models.TextChoices):
        PENDING = "pending"
        UPHELD = "upheld"  # the original decision stands
        REVERSED = "reversed"

    statement = models.ForeignKey(
        StatementOfReasons, null=True, blank=True, on_delete=models.CASCADE,
        related_name="appeals",
    )
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="appeals")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="appeals",
    )
    text = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)


class Strike(models.Model):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strikes"
    )
    action = models.ForeignKey(CaseAction, on_delete=models.CASCADE, related_name="strikes")
    weight = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)


class Referral(models.Model):
    """DSA Art. 18: a package about a threat to life or safety, made for the police."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    package = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
