"""`parley bench safety` (the safety process on a replayed community) and `parley bench load`
(throughput and latency of a running server under wrk)."""

from __future__ import annotations

import json
import os
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
        load = sub.add_parser(
            "load", help="generate a community, then measure a running server with wrk",
            description=(
                "Starts `parley serve` (--mode embedded: SQLite in a temporary data dir; "
                "--mode scaled: `parley serve --no-worker` and `parley worker` on this shell's "
                "PARLEY_DATABASE_URL and PARLEY_REDIS_URL) or uses --url, generates N members "
                "with power-law follows and M posts through the services, then runs wrk at 8 "
                "connections against a bare view (/health), the home timeline, a single status "
                "and posting (screening on). Prints req/s, p50/p99 and each as a ratio to the "
                "bare view, the fan-out delays, and a takedown timed behind queued fan-outs."))
        load.add_argument("--members", type=int, default=1000, help="members (default 1000)")
        load.add_argument("--posts", type=int, default=1000, help="posts (default 1000)")
        load.add_argument("--duration", type=float, default=10.0,
                          help="seconds of wrk per endpoint (default 10)")
        load.add_argument("--mode", choices=("embedded", "scaled"), default="embedded")
        load.add_argument("--url", help="a running server (rate limits off) to use instead of "
                                        "starting one; seeding uses this shell's PARLEY_* "
                                        "settings, which must be that server's")
        load.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        load.add_argument("--json", help="write the results as JSON to this file")
        load.add_argument("--no-progress", action="store_true", help="no progress bar")
        for name in ("load-seed", "load-stats"):
            internal = sub.add_parser(name, help="(internal) part of `parley bench load`, run "
                                                 "in the server's environment")
            internal.add_argument("--spec", required=True)
            internal.add_argument("--out", required=True)
            internal.add_argument("--no-progress", action="store_true")
        seed = sub.add_parser("seed", help="(internal) seed the bench's members in this "
                                           "instance's database")
        seed.add_argument("--spec", required=True)
        seed.add_argument("--out", required=True)

    def handle(self, *args, **options) -> None:
        if options["bench"] == "seed":
            self._seed(options)
        elif options["bench"] == "load":
            self._load(options)
        elif options["bench"] in ("load-seed", "load-stats"):
            self._load_internal(options)
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

    def _load(self, options: dict) -> None:
        from rich.console import Console

        from parley.core.loadbench.report import load_table
        from parley.core.loadbench.run import LoadOptions, run_load
        from parley.core.loadbench.wrk import WrkMissing
        from parley.safety.bench.server import ServerFailed

        if options["members"] < 3 or options["posts"] < 1 or options["duration"] <= 0:
            raise CommandError("--members must be 3 or more, --posts 1 or more, "
                               "--duration above 0")
        console = Console(stderr=True)
        load_options = LoadOptions(
            members=options["members"], posts=options["posts"], duration=options["duration"],
            mode=options["mode"], url=options["url"], seed=options["seed"],
            progress=not options["no_progress"])
        try:
            result = run_load(load_options, console.print)
        except (ServerFailed, WrkMissing) as exc:
            raise CommandError(str(exc)) from None
        result["command"] = "parley " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        result["load_average"] = list(os.getloadavg())
        out = Console()
        out.width = max(out.width, 100)
        out.print(load_table(result))
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(result, indent=2))

    def _load_internal(self, options: dict) -> None:
        from django.core.management import call_command

        from parley.cli import database_state
        from parley.core.loadbench import seed

        spec = json.loads(Path(options["spec"]).read_text())
        if options["bench"] == "load-stats":
            Path(options["out"]).write_text(json.dumps(seed.run_stats(spec)))
            return
        if database_state() == "unmigrated":
            call_command("migrate", interactive=False, verbosity=0)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), disable=options["no_progress"]) as progress:
            tasks: dict[str, int] = {}

            def step(what: str, done: int, total: int) -> None:
                if what not in tasks:
                    tasks[what] = progress.add_task(what, total=total)
                progress.update(tasks[what], completed=done)

            community = seed.seed_community(spec, step)
        Path(options["out"]).write_text(json.dumps(community))

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
