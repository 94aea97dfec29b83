"""`parley safety run-jobs`: run the periodic safety jobs once (the worker runs them too)."""

from __future__ import annotations

import argparse

from parley.safety.cases.jobs import run_periodic_jobs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Escalate overdue cases, end timed sanctions whose time is up, and purge removed "
        "content past the preservation window (PARLEY_PRESERVE_DAYS), and re-score watched "
        "posts (a case opens for those that spread), once."
    )


def run(options: dict, stdout) -> None:
    report = run_periodic_jobs()
    stdout.write(f"Escalated {report.escalated} overdue cases, ended {report.expired} timed "
                 f"sanctions, purged {report.purged} posts, opened {report.spread} cases on "
                 "watched posts that spread.\n")
