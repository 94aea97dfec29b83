"""`parley bench safety`: a tiny replay against a real `parley serve`, and the bench's own
accounting checked on a hand-built scenario."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from parley.safety.bench.community import Community, Member, PlannedPost
from parley.safety.bench.metrics import summarise
from parley.safety.bench.replay import PostRecord, Replay, ReplayOptions
from parley.safety.bench.report import html_report

SHARES = ("share_never_publicly_visible", "share_found_proactively", "share_with_a_case",
          "share_actioned_within_1h", "share_actioned_within_24h")


# A small labelled set written for this test (the real eval data lives outside the
# repository; `parley bench safety --data` takes it). Same fields as the datasets' rows.
VIOLENT = [
    "I am going to kill you tomorrow, I know where you live",
    "Someone should shoot every one of them at the rally on Saturday",
    "Bring your guns to the town hall and make them pay with blood",
    "I will stab you the next time I see you outside",
    "Let's burn their houses down tonight with them inside",
    "We need to hang the traitors from the bridge, all of them",
    "I'm going to beat you to death, you worthless piece of trash",
    "Grab a knife and slit their throats, they deserve to die",
]
BENIGN = [
    "Lovely sunrise over the harbour this morning", "Just finished a great book on gardening",
    "Our bakery opens at eight, fresh bread every day", "Anyone up for a walk in the park?",
    "The new library hours start next week", "Made soup for the whole street today",
    "Train delays again, bring a good podcast", "My cat has discovered the radiator",
    "Choir practice moved to Thursday evening", "Finally fixed the squeaky bicycle brake",
    "The museum has a free day on Sunday", "Tomatoes are ripening nicely this year",
]
HARD_BENIGN = [
    "Great match last night, our team destroyed them in the second half",
    "The news says the attack on the embassy killed three people",
    "This game has the best sniper rifle I have ever used",
    "Proud to be a Muslim woman and a nurse",
    "Saying that refugees should die is racist and vile, report it",
    "My grandfather fought in the war and never talked about it",
]


def tiny_dataset(directory: Path) -> Path:
    import gzip

    rows = ([{"text": t, "violence": 1, "hate": 0} for t in VIOLENT]
            + [{"text": t, "violence": 0, "hate": 0} for t in BENIGN + HARD_BENIGN])
    with gzip.open(directory / "parley-safety-v1.jsonl.gz", "wt", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({**row, "split": "eval", "sources": ["test"]}) + "\n")
    return directory


@pytest.mark.slow
@pytest.mark.live
def test_a_tiny_replay_reports_every_metric_with_consistent_counts(tmp_path):
    data = tiny_dataset(tmp_path)
    out, page = tmp_path / "bench.json", tmp_path / "bench.html"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    done = subprocess.run(
        [sys.executable, "-m", "parley.cli", "bench", "safety", "--members", "12",
         "--hours", "4", "--posts-per-day", "50", "--violent-share", "0.2", "--moderators",
         "1", "--data", str(data), "--seed", "3", "--json", str(out), "--html", str(page),
         "--no-progress"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "cases opened per 1,000 posts" in done.stdout
    result = json.loads(out.read_text())

    posts, violating, benign = result["posts"], result["violating"], result["benign"]
    assert 40 <= posts["total"] <= 90 and posts["not_posted"] == 0
    assert posts["total"] == violating["total"] + benign["total"]
    assert violating["total"] >= 5 and posts["hard_benign"] >= 1
    assert violating["total"] == violating["actioned"] + violating["not_actioned"]
    assert violating["actioned"] >= violating["held_or_rejected_by_screening"]
    assert violating["never_publicly_visible"] >= violating["held_or_rejected_by_screening"]
    for name in SHARES:
        assert 0 <= violating[name] <= 1, name
    assert violating["share_actioned_within_1h"] <= violating["share_actioned_within_24h"]
    for measure in ("views", "minutes"):
        spread = result["exposure"][measure]
        assert 0 <= spread["median"] <= spread["p95"] <= spread["max"], measure
    assert benign["false_holds_per_10000"] == pytest.approx(
        benign["held"] * 10000 / benign["total"], abs=0.01)
    cases = result["cases"]
    assert cases["opened"] == cases["on_violating_posts"] + cases["on_benign_posts"] + \
        cases["other"]
    assert cases["per_1000_posts"] == pytest.approx(cases["opened"] * 1000 / posts["total"],
                                                    abs=0.01)
    assert cases["on_violating_posts"] >= violating["with_a_case"] > 0
    moderators = result["moderators"]
    assert moderators["decisions"] >= violating["removed_by_moderators"]
    assert moderators["minutes"] == pytest.approx(moderators["decisions"] * 2, abs=0.1)
    assert result["activity"]["timeline_reads"] > 0 and result["activity"]["views"] > 0
    hours = [sample["hour"] for sample in result["backlog"]]
    assert hours == sorted(hours) and hours[-1] == 4
    assert all(s["open"] >= s["unclaimed"] >= 0 for s in result["backlog"])
    assert result["errors"] == []
    html = page.read_text()
    assert "<svg" in html and "Backlog over time" in html and "http" not in html.split(
        "<svg", 1)[1].split("</svg>")[0].replace("http://www.w3.org/2000/svg", "")


def _scenario() -> Replay:
    """Four posts, checked by hand: a violent post held at once, a violent post removed by a
    moderator 30 minutes after posting with 3 views, a violent post nobody acted on, and a
    benign post held by mistake."""
    members = [Member(0, "a", 0.0, 1.0, False), Member(1, "b", 10.0, 1.0, False)]
    plans = [PlannedPost(0, 0, 10.0, "held", "violent", "t"),
             PlannedPost(1, 0, 20.0, "removed", "violent", "t"),
             PlannedPost(2, 1, 30.0, "missed", "violent", "t"),
             PlannedPost(3, 1, 40.0, "fine", "hard_benign", "t")]
    records = [PostRecord(p, id=str(i + 1)) for i, p in enumerate(plans)]
    held, removed, missed, benign = records
    held.held_by_screening = True
    held.mark_actioned(10.0, "hold")
    removed.distributed = True
    removed.views, removed.views_before_action = 5, 3
    removed.first_report_minute = 35.0
    removed.removed_by_moderator = True
    removed.mark_actioned(50.0, "remove")
    missed.distributed = True
    missed.views = missed.views_before_action = 4
    benign.held_by_screening = True
    benign.views = 11
    replay = Replay(Community(members, plans, hours=2.0), ReplayOptions(moderator_pace=60),
                    records, by_id={r.id: r for r in records})
    replay.cases = [{"id": "c1", "status_id": "1"}, {"id": "c2", "status_id": "2"},
                    {"id": "c3", "status_id": "4"}]
    replay.case_details = {"c1": {"notices": [{"source": "screening", "created_at": "1"}]},
                           "c2": {"notices": [{"source": "member", "created_at": "1"}]}}
    replay.decisions = [{"wrong": False}, {"wrong": False}, {"wrong": True}]
    replay.backlog = [{"hour": 1.0, "open": 2, "unclaimed": 1},
                      {"hour": 2.0, "open": 0, "unclaimed": 0}]
    return replay


def test_the_accounting_matches_a_hand_checked_scenario():
    result = summarise(_scenario(), {"seed": 1})
    violating = result["violating"]
    assert (violating["total"], violating["actioned"], violating["not_actioned"]) == (3, 2, 1)
    assert violating["never_publicly_visible"] == 1
    assert violating["share_never_publicly_visible"] == pytest.approx(0.3333, abs=1e-4)
    assert violating["found_proactively"] == 1  # the reported one was found by a member
    assert violating["with_a_case"] == 2
    assert violating["actioned_within_1h"] == 2
    # exposure: held 0 min/0 views; removed 30 min/3 views; missed 90 min (to the end)/4 views
    assert result["exposure"]["minutes"] == {"median": 30.0, "p95": 90.0, "max": 90.0}
    assert result["exposure"]["views"] == {"median": 3, "p95": 4, "max": 4}
    assert result["exposure"]["violating_views_per_10000_views"] == pytest.approx(
        7 / 20 * 10000)
    assert result["benign"]["held"] == 1 and result["benign"]["false_holds_per_10000"] == 10000
    assert result["cases"]["per_1000_posts"] == 750.0
    assert result["cases"]["on_benign_posts"] == 1 and result["cases"]["open_at_end"] == 0
    # three one-minute decisions for one violating post removed by a moderator
    assert result["moderators"]["minutes_per_violating_post_removed"] == 3.0
    assert "Backlog over time" in html_report(result, "parley bench safety")
