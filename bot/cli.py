"""``teman-ikd``: the command line (chat, simulate, check, facts, diagram, run, demo, report, dashboard,
migrate-db).

Parses arguments and hands over to bot.commands.*; no logic of its own.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="teman-ikd",
        description="Teman IKD: a guide to activating IKD, for elderly residents of Kota Serang.")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the guide in the terminal as a resident")
    chat.add_argument("--locale", default="id")
    chat.add_argument("--db", default=":memory:", help="SQLite path or sqlite:/// URL (default: in memory)")

    sim = sub.add_parser("simulate", help="JSON lines in, one JSON line out per input")
    sim.add_argument("--locale", default="id")
    sim.add_argument("--db", default=":memory:", help="SQLite path or sqlite:/// URL (default: in memory)")

    sub.add_parser("check", help="validate dialogs, region file and catalogs; measure plain language")
    facts = sub.add_parser("facts", help="what Disdukcapil must confirm before launch "
                                         "(unconfirmed facts and their sources)")
    facts.add_argument("--region", default="kota-serang")

    train = sub.add_parser("train", help="train the reader on dialogs/understanding and report on it")
    train.add_argument("--locale", default="id")

    ev = sub.add_parser("eval", help="score the guide on a labelled held-out set of resident messages")
    ev.add_argument("--file", help="CSV of text,state,expect (default: tests/understanding/eval.csv)")
    ev.add_argument("--locale", default="id")

    diagram = sub.add_parser("diagram", help="the flow as a picture (Mermaid or SVG)")
    diagram.add_argument("--format", choices=("mermaid", "svg"), default="mermaid")
    diagram.add_argument("--output", "-o", help="file to write (default: standard output)")

    run = sub.add_parser("run", help="run the Telegram bot (configuration from TEMAN_IKD_* environment variables)")
    run.add_argument("--webhook", metavar="URL", help="use a webhook at this public URL instead of long polling")
    run.add_argument("--listen", default="127.0.0.1", help="webhook listen address")
    run.add_argument("--port", type=int, default=8443, help="webhook listen port")

    report = sub.add_parser("report", help="the funnel and activations against the target (aggregates only)")
    report.add_argument("--db", default=None, help="SQLite path (default: TEMAN_IKD_DATABASE or teman-ikd.sqlite3)")
    report.add_argument("--since", type=_date, help="first day counted, YYYY-MM-DD (default: from the start)")
    report.add_argument("--csv", metavar="FILE", help="also write the figures as CSV")
    report.add_argument("--locale", default="id")

    dash = sub.add_parser("dashboard", help="a small read-only web page of the same figures "
                                            "(password from TEMAN_IKD_DASHBOARD_PASSWORD)")
    dash.add_argument("--db", default=None, help="SQLite path (default: TEMAN_IKD_DATABASE or teman-ikd.sqlite3)")
    dash.add_argument("--listen", default="127.0.0.1", help="address to listen on (non-loopback needs a password)")
    dash.add_argument("--port", type=int, default=8080)
    dash.add_argument("--locale", default="id")

    move = sub.add_parser("migrate-db", help="copy a SQLite database into an empty PostgreSQL one (stop the bot first)")
    move.add_argument("--db", default=None,
                      help="the SQLite database (default: TEMAN_IKD_DATABASE or teman-ikd.sqlite3)")
    move.add_argument("--to", required=True, metavar="URL", help="postgresql://… (migrated, must hold no rows yet)")

    demo = sub.add_parser("demo", help="the whole bot against the built-in Bot API emulator, chatting in the terminal")
    demo.add_argument("--db", default=None, help="SQLite path (default: a temporary file)")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _database(given: str | None) -> str:
    """--db, else the bot's own setting (TEMAN_IKD_DATABASE), else its default file."""
    import os

    return given or os.environ.get("TEMAN_IKD_DATABASE") or "teman-ikd.sqlite3"


def _migrate_db(source: str, target: str) -> int:
    import sqlite3

    from bot.store.copy import TargetNotEmpty, copy_database
    from bot.store.postgres import display_url

    try:
        counts = copy_database(source, target)
    except (TargetNotEmpty, sqlite3.Error) as exc:
        print(f"teman-ikd: cannot copy {source} to {display_url(target)}: {exc}", file=sys.stderr)
        return 2
    print(f"copied {sum(counts.values())} rows to {display_url(target)}: "
          + ", ".join(f"{table} {n}" for table, n in counts.items()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from bot.flow.errors import DialogError

    try:
        return _dispatch(args)
    except DialogError as exc:
        print("The dialog data is broken:\n" + str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _in_terminal(args: argparse.Namespace) -> int:
    """chat and simulate: the guide without Telegram, on stdin and stdout."""
    from bot.assembly import build_guide
    from bot.store import Store

    # simulate plays the operator itself ({"operator": ...}); chat has nobody behind it, so
    # asking for a person there gives the office contacts instead of a queue number.
    guide = build_guide(Store(args.db), locale=args.locale, handoff_available=args.command == "simulate")
    if args.command == "chat":
        from bot.commands.chat import run_chat

        return run_chat(guide, sys.stdin, sys.stdout)
    from bot.commands.simulate import run_simulate

    return run_simulate(guide, sys.stdin, sys.stdout)


def _check() -> int:
    """teman-ikd check: the findings (exit 1), or the plain-language figures when there are none."""
    from bot.checks import run_checks

    findings = run_checks()
    for finding in findings:
        print(finding)
    if findings:
        print(f"\n{len(findings)} problem(s) found.", file=sys.stderr)
        return 1
    from bot.plain_language import figures_of_shipped_content

    print("Plain language (every message a resident may read, Indonesian):")
    for line in figures_of_shipped_content().lines():
        print("  " + line)
    print("All checks passed.")
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in ("chat", "simulate"):
        return _in_terminal(args)
    if args.command == "check":
        return _check()
    if args.command == "facts":
        from bot.commands.facts import run_facts

        return run_facts(args.region, sys.stdout)
    if args.command == "diagram":
        return _diagram(args)
    if args.command in ("train", "eval"):
        return _understanding(args)
    if args.command == "run":
        from bot.telegram.run import main_run

        return main_run(args)
    if args.command == "report":
        from bot.followup.report import run_report

        return run_report(_database(args.db), args.since, args.csv, args.locale, sys.stdout)
    if args.command == "migrate-db":
        return _migrate_db(_database(args.db), args.to)
    if args.command == "dashboard":
        from bot.followup.dashboard import main_dashboard

        return main_dashboard(_database(args.db), args.listen, args.port, args.locale)
    if args.command == "demo":
        from bot.telegram.demo import main_demo

        return main_demo(args)
    return 2


def _understanding(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from bot.assembly import build_guide

    started = time.perf_counter()
    engine = build_guide(None, locale=args.locale).engines[args.locale]
    if args.command == "train":
        reader = engine.understanding.reader
        print(f"trained on {len(engine.understanding.examples.labelled())} examples, {len(reader.labels)} meanings, "
              f"{reader.features} features, in {time.perf_counter() - started:.2f} s (guide included)")
        return 0
    from bot.commands.evaluate import default_path, run_eval

    run_eval(engine, Path(args.file) if args.file else default_path())
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from bot.commands.diagram import DiagramUnavailable, render_diagram
    from bot.flow import load_flow

    try:
        picture = render_diagram(load_flow(), args.format)
    except DiagramUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 2
    data = picture.encode() if isinstance(picture, str) else picture
    if args.output:
        with open(args.output, "wb") as handle:
            handle.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
