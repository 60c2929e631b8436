"""The ``entities`` command: top entities, one article's, or any text's."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tui_reader.errors import InputError

TYPES = ("PER", "ORG", "LOC")


def add_commands(commands: Any) -> None:
    """Register ``entities``."""
    p = commands.add_parser(
        "entities",
        help="most-mentioned people, places and organisations; or one article's; or a text's",
    )
    p.add_argument("id", nargs="?", type=int, help="show this article's entities with offsets")
    p.add_argument("--top", type=int, default=20, help="how many to list (default 20)")
    p.add_argument("--type", choices=TYPES, help="only this type")
    p.add_argument("--text", metavar="FILE", help="recognise entities in FILE (- for stdin)")
    p.add_argument("--lang", help="language of --text (default: detect)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_entities)


def cmd_entities(args: argparse.Namespace) -> int:
    """``entities [ID] [--top N] [--type T] [--text FILE] [--json]``."""
    if args.text is not None:
        return _recognise_text(args)
    from tui_reader.cli import open_archive

    with open_archive(args, heal=False) as archive:
        if args.id is not None:
            mentions = archive.get(args.id).entities
            rows: list[dict[str, Any]] = [
                {
                    "name": m.name,
                    "type": m.type,
                    "count": m.count,
                    "spans": [list(s) for s in m.spans],
                }
                for m in mentions
                if not args.type or m.type == args.type
            ]
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for row in rows:
                    spans = " ".join(f"{a}-{b}" for a, b in row["spans"])
                    print(f"{row['count']:>4}  {row['type']:<3}  {row['name']}  ({spans})")
            return 0
        top = archive.top_entities(args.type, args.top)
    if args.json:
        print(
            json.dumps(
                [e.__dict__ if hasattr(e, "__dict__") else asdict(e) for e in top],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for e in top:
            print(f"{e.articles:>6} articles  {e.mentions:>6} mentions  {e.type:<3}  {e.name}")
    return 0


def _recognise_text(args: argparse.Namespace) -> int:
    from tui_reader.extract import decode_bytes

    try:
        data = sys.stdin.buffer.read() if args.text == "-" else Path(args.text).read_bytes()
    except OSError as exc:
        raise InputError(f"{args.text}: cannot read ({exc.strerror})") from None
    text = decode_bytes(data)
    from tui_reader.entities import recognize
    from tui_reader.language import detect_language

    lang = args.lang or detect_language(text)
    found = [e for e in recognize(text, lang) if not args.type or e.type == args.type]
    if args.json:
        rows = [{"text": e.text, "type": e.type, "start": e.start, "end": e.end} for e in found]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for e in found:
            print(f"{e.start:>6}-{e.end:<6} {e.type:<3}  {e.text}")
    return 0
