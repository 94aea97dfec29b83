"""`parley bench safety`: measure the safety process on a replayed community."""

from __future__ import annotations

import json
import secrets
import shlex
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Measure the safety process end to end on a replayed community (`parley bench "
        "safety`). Members, follows, a day of posts with violent ones mixed in, reports, an "
        "abuse desk and moderators are replayed against a real server through its public "
        "APIs; it reports exposure, errors on benign posts and moderator load."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="bench", required=True)
        safety = sub.add_parser(
            "safety", help="replay a community and measure the safety process",
            description=(
                "Starts `parley serve` in a temporary data dir on a free port (or uses --url), "
                "seeds members with a power-law follow graph, then replays H hours in "
                "compressed time through the Mastodon API (members post, read timelines, "
                "echo, report), the notifier API (an abuse desk) and the safety API "
                "(moderators work the queue). Posts are eval rows of the labelled datasets "
                "(never train). Prints a table; --json and --html write the results."))
        safety.add_argument("--members", type=int, default=120, help="members (default 120)")
        safety.add_argument("--hours", type=float, default=24.0,
                            help="simulated hours (default 24)")
        safety.add_argument("--posts-per-day", type=float, default=4.0,
                            help="mean posts per member per day (default 4; power-law spread)")
        safety.add_argument("--violent-share", type=float, default=0.06,
                            help="share of posts drawn from violent eval rows (default 0.06)")
        safety.add_argument("--moderators", type=int, default=2,
                            help="simulated moderators (default 2)")
        safety.add_argument("--moderator-pace", type=float, default=120.0,
                            help="simulated seconds a moderator spends per case (default 120)")
        safety.add_argument("--moderator-error", type=float, default=0.05,
                            help="share of wrong moderator decisions (default 0.05)")
        safety.add_argument("--report-probability", type=float, default=0.05,
                            help="chance a member who sees a violent post reports it "
                                 "(default 0.05)")
        safety.add_argument("--tick-minutes", type=float, default=10.0,
                            help="simulated minutes per step (default 10)")
        safety.add_argument("--data", help="directory of the labelled datasets "
                                           "(default: ../shared/datasets)")
        safety.add_argument("--url", help="a running server to use instead of starting one; "
                                          "members are seeded through this shell's "
                                          "PARLEY_DATA_DIR / PARLEY_DATABASE_URL, which must "
                                          "be that server's, with its rate limits off")
        safety.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        safety.add_argument("--json", help="write the results as JSON to this file")
        safety.add_argument("--html", help="write an HTML report with a backlog chart")
        safety.add_argument("--no-progress", action="store_true", help="no progress bar")
        seed = sub.add_parser("seed", help="(internal) seed the bench's members in this "
                                           "instance's database")
        seed.add_argument("--spec", required=True)
        seed.add_argument("--out", required=True)

    def handle(self, *args, **options) -> None:
        if options["bench"] == "seed":
            self._seed(options)
        else:
            self._safety(options)

    def _seed(self, options: dict) -> None:
        from django.core.management import call_command

        from parley.cli import database_state
        from parley.safety.bench.seed import seed_community

        if database_state() == "unmigrated":
            call_command("migrate", interactive=False, verbosity=0)
        spec = json.loads(Path(options["spec"]).read_text())
        Path(options["out"]).write_text(json.dumps(seed_community(spec)))

    def _safety(self, options: dict) -> None:
        from rich.console import Console

        from parley.safety.bench import community as planning
        from parley.safety.bench import metrics, report, server
        from parley.safety.bench.replay import ReplayOptions

        _check(options)
        try:
            texts = planning.load_eval_texts(planning.find_datasets(options["data"]))
        except planning.DatasetMissing as exc:
            raise CommandError(str(exc)) from None
        prefix = f"bs{secrets.token_hex(2)}_"
        community = planning.plan_community(
            texts, members=options["members"], hours=options["hours"],
            violent_share=options["violent_share"], seed=options["seed"], prefix=prefix,
            posts_per_day=options["posts_per_day"])
        replay_options = ReplayOptions(
            moderators=options["moderators"], moderator_pace=options["moderator_pace"],
            moderator_error=options["moderator_error"],
            report_probability=options["report_probability"],
            tick_minutes=options["tick_minutes"], seed=options["seed"])
        console = Console(stderr=True)
        console.print(f"{len(community.members)} members, {len(community.posts)} posts "
                      f"({sum(p.violent for p in community.posts)} violent) over "
                      f"{community.hours:g} simulated hours")
        try:
            if options["url"]:
                state = self._replay(options["url"], None, community, replay_options, console,
                                     prefix, options["no_progress"])
            else:
                with server.TemporaryServer() as running:
                    console.print(f"parley serve on {running.url} (data in {running.data_dir})")
                    state = self._replay(running.url, running.env, community, replay_options,
                                         console, prefix, options["no_progress"])
        except server.ServerFailed as exc:
            raise CommandError(str(exc)) from None
        parameters = {k: options[k] for k in (
            "members", "hours", "posts_per_day", "violent_share", "moderators",
            "moderator_pace", "moderator_error", "report_probability", "tick_minutes", "seed")}
        result = metrics.summarise(state, parameters)
        command = "parley " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        result["command"] = command
        out = Console()
        out.width = max(out.width, 110)
        out.print(report.table(result))
        if state.errors:
            console.print(f"[yellow]{len(state.errors)} request(s) failed; first: "
                          f"{state.errors[0]}[/yellow]")
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(result, indent=2))
        if options["html"]:
            Path(options["html"]).write_text(report.html_report(result, command))

    def _replay(self, url, env, community, replay_options, console, prefix, no_progress):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from parley.safety.bench import server
        from parley.safety.bench.client import Client
        from parley.safety.bench.replay import Replayer

        console.print("seeding members, follows, moderators and an abuse desk...")
        tokens = server.seed(community.seed_spec(replay_options.moderators, prefix), env)
        replayer = Replayer(Client(url), community, tokens, replay_options)
        total = community.hours * 60
        with Progress(TextColumn("replaying"), BarColumn(), TextColumn("{task.description}"),
                      TimeElapsedColumn(), console=console, disable=no_progress) as progress:
            task = progress.add_task("hour 0", total=total)

            def on_tick(minute: float) -> None:
                progress.update(task, completed=minute, description=f"hour {minute / 60:.1f}")

            return replayer.run(on_tick)


def _check(options: dict) -> None:
    if options["members"] < 2:
        raise CommandError("--members must be at least 2")
    if options["hours"] <= 0 or options["tick_minutes"] <= 0:
        raise CommandError("--hours and --tick-minutes must be above 0")
    for name in ("violent_share", "moderator_error", "report_probability"):
        if not 0 <= options[name] <= 1:
            raise CommandError(f"--{name.replace('_', '-')} must be between 0 and 1")
    if options["moderators"] < 1 or options["moderator_pace"] <= 0:
        # the moderators' tokens also read the queue and the cases the metrics count
        raise CommandError("--moderators must be 1 or more and --moderator-pace above 0")
