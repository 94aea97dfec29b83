"""The load bench's table: every figure with its ratio to the bare view of the same run."""

from __future__ import annotations

from rich.table import Table


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def load_table(result: dict) -> Table:
    table = Table(title=(
        f"parley bench load, {result['mode']}: {result['members']} members, "
        f"{result['follows']} follows, {result['seeded_posts']} posts seeded, "
        f"{result['connections']} connections, {result['duration_s']:g} s each"))
    for column in ("measure", "req/s", "p50 ms", "p99 ms", "vs bare view", "notes"):
        table.add_column(column, justify="left" if column in ("measure", "notes") else "right")
    endpoints = result["endpoints"]
    for name, row in endpoints.items():
        notes = f"{row['ok']} ok, {row['errors']} errors"
        rps, ratio = row["rps"], row["ratio_to_bare"]
        if name == "posting":
            notes += f"; {row['created_in_database']} posts in the database"
            if "ratio_to_one_insert" in row:
                notes += f"; {row['ratio_to_one_insert']:.1%} of the one-insert view"
        table.add_row(name, f"{rps:.0f}", _ms(row["p50_ms"]), _ms(row["p99_ms"]),
                      f"{ratio:.1%}", notes)
    fanout = result["fanout"]
    table.add_row("fan-out delay (posts above)", "", _ms(fanout["p50_ms"]), _ms(fanout["p99_ms"]),
                  "", f"{fanout['distributed']}/{fanout['posts']} distributed")
    takedown = result["takedown"]
    top = takedown["most_followed_fanout_ms"]
    table.add_row(f"fan-out delay, most followed ({top['followers']} followers)", "",
                  _ms(top["p50"]), _ms(top["p99"]), "",
                  f"{takedown['flood_posts']} posts queued at once; fastest {_ms(top['min'])} ms")
    table.add_row("takedown behind those fan-outs", "", f"{takedown['seconds'] * 1000:.0f}", "",
                  "", f"{takedown['fanouts_still_queued_when_done']} fan-outs still queued "
                      "when the post was gone")
    seeded = result["seed_timings_s"]
    table.caption = (f"seeding: members {seeded['members_s']} s, follows {seeded['follows_s']} s "
                     f"({seeded.get('s_per_100k_follows', '?')} s per 100k follows), "
                     f"posts {seeded['posts_s']} s ({seeded['s_per_10k_posts']} s per 10k posts), "
                     f"their fan-out {seeded['fanout_of_seeded_posts_s']} s"
                     f"; load average {' '.join(f'{x:.2f}' for x in result['load_average'])}")
    return table
