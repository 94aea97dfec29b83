"""DSA profiles: which transparency duties apply to the operator (``PARLEY_DSA_PROFILE``).

Micro and small enterprises (fewer than 50 staff and at most EUR 10 million turnover) are
exempt from the transparency report of Art. 15 (Art. 15(2)) and from the online-platform
duties of Art. 20-28 except Art. 24(3) (Art. 19), among them the additional report items of
Art. 24(1) and sending statements of reasons to the Commission's database (Art. 24(5)). The
DSA draws no line between micro and small here, so the two profiles show the same. ``vlop``
is the strict default: every section, and the statements export.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Parley's own measure of its moderation, shown under every profile (voluntary when exempt).
CORE = ("notices", "actions", "daily", "proactive", "time_to_action", "exposure",
        "account_deletions")
# Art. 15(1)(a) orders, 15(1)(b) time to act on notices, 15(1)(d) and 24(1)(a) complaints and
# their outcome, 24(1)(b) suspensions under Art. 23.
DUTIES = ("appeals", "suspensions", "notice_handling", "removal_orders")


@dataclass(frozen=True)
class DsaProfile:
    name: str
    label: str
    sections: tuple[str, ...]
    statements_export: bool  # Art. 24(5): statements of reasons to the Commission's database


PROFILES = {
    "micro": DsaProfile("micro", "Micro enterprise (exempt from Art. 15 and 24)", CORE, False),
    "small": DsaProfile("small", "Small enterprise (exempt from Art. 15 and 24)", CORE, False),
    "vlop": DsaProfile("vlop", "Full DSA transparency (Art. 15, 24 and 42)", CORE + DUTIES,
                       True),
}


def dsa_profile(name: str | None = None) -> DsaProfile:
    """The named profile, or the configured one (``vlop`` unless set)."""
    key = (name or getattr(settings, "PARLEY_DSA_PROFILE", "vlop") or "vlop").lower()
    if key not in PROFILES:
        raise ImproperlyConfigured("PARLEY_DSA_PROFILE must be micro, small or vlop")
    return PROFILES[key]
