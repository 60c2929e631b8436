"""Write the hostile input corpus: files, feeds, OPML, URLs and queries meant to break
tui-reader. Nothing here is committed; the tests generate it into a temporary folder.

    python tools/make_hostile.py OUT_DIR [--no-big]

Every case says what must happen: ``fail`` (one clear line naming it; the rest of
the batch still runs) or ``ok`` (imported, with every dangerous character removed).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BIG_BYTES = 50_000_001  # just past the import cap of 50 MB
DEPTH = 10_000
FEED_ITEMS = 100_000
SEED = 1234
PROSE = (
    "The harbour council met on Tuesday to discuss the new ferry timetable. Residents "
    "asked for more evening services and a safer crossing near the school. "
)
# What must never reach a terminal: ANSI colours, OSC 52 (writes the clipboard),
# OSC 8 (hyperlinks), a bell, bidi overrides/isolates and zero-width characters.
ESCAPES = (
    "\x1b[31mred\x1b[0m \x1b]52;c;ZWNobyBwd25lZA==\x07 \x1b]8;;https://evil.example\x1b\\"
    "click\x1b]8;;\x1b\\ \x07 \u202eevil\u202c \u2066iso\u2069 zero\u200bwidth\ufeff "
    "\x9b31m c1-csi \x00nul"
)
MARKUP = "[bold red]not bold[/] [link=https://evil.example]x[/link] [/] [@click=quit]q[/]"


@dataclass(frozen=True)
class Case:
    """One hostile input and what must happen to it."""

    name: str
    kind: str  # file | feed | opml | url | query
    expect: str  # fail | ok
    path: str = ""  # a file in the corpus, or the text itself (url, query)


def _page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>T</title></head><body>{body}</body></html>"


def _article(paragraphs: int = 4) -> str:
    return "".join(f"<p>{PROSE}</p>" for _ in range(paragraphs))


def _writer(folder: Path, kind: str, cases: list[Case]) -> Callable[[str, bytes | str, str], None]:
    """A function that writes one hostile file into ``folder`` and records its case."""
    folder.mkdir(parents=True, exist_ok=True)

    def put(name: str, data: bytes | str, expect: str) -> None:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(Case(name, kind, expect, str(path)))

    return put


def write_files(out: Path, big: bool) -> list[Case]:
    """Files for ``tui-reader import``."""
    rng = random.Random(SEED)
    files = out / "files"
    cases: list[Case] = []
    put = _writer(files, "file", cases)

    put("empty.html", b"", "fail")
    put("blank.html", b"  \n\t\n ", "fail")
    put("binary.html", b"\x89PNG\r\n\x1a\n" + rng.randbytes(20_000), "fail")
    put("no-text.html", _page("<nav>Home</nav><script>x()</script>"), "fail")
    deep = "<div>" * DEPTH + _article() + "</div>" * DEPTH
    put("deep-nesting.html", _page(deep), "any")
    mixed = _page(_article()).encode() + "Café naïve".encode("latin-1") + "Привет".encode("cp1251")
    put("mixed-encoding.html", mixed, "any")
    put(
        "bogus-charset.html",
        _page(_article(), "<meta charset='x-no-such-charset'>").encode(),
        "ok",
    )
    put("utf16-bom.html", _page(_article()).encode("utf-16"), "any")
    put("utf16-no-bom.html", _page(_article()).encode("utf-16-le"), "any")
    put("truncated.html.gz", gzip.compress(_page(_article()).encode())[:40], "fail")
    put("not-gzip.html.gz", b"plain bytes, not gzip at all", "fail")
    put("invalid-utf8.txt", b"Title\n\n" + b"\xff\xfe\xfa broken \xc3\x28 " * 200, "any")
    no_nul = ESCAPES.replace("\x00", "")  # a NUL byte makes a file binary, rightly refused
    put("escapes.md", f"Escapes {no_nul}\n\n{PROSE}{no_nul} {MARKUP}\n", "ok")
    lines = [
        "{",
        "[]",
        '"a string"',
        '{"text": 5}',
        json.dumps({"text": PROSE, "date": "yesterday at noon"}),
        json.dumps({"text": PROSE, "tags": [1, 2]}),
        json.dumps({"title": "no text"}),
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"text": PROSE, "date": "99999-99-99"}),
        json.dumps({"text": PROSE, "url": "javascript:alert(1)", "title": "JS link"}),
    ]
    put("broken.jsonl", ("\n".join(lines) + "\n").encode() + b"\xff\xfe{bad utf8}\n", "fail")
    put("huge-line.jsonl", json.dumps({"text": "word " * 1_100_000}) + "\n", "fail")
    hostile_record = {
        "title": f"Hostile {ESCAPES} {MARKUP}",
        "text": f"{PROSE}\n\n{ESCAPES}\n\n{MARKUP}\n\n{PROSE}",
        "url": "https://user:secret@hostile.example/a?utm_source=x",
        "author": f"{MARKUP}\x1b[2J",
        "site": "\u202ehostile",
        "tags": [f"tag{MARKUP}", "\x1b]52;c;AAAA\x07"],
    }
    put("escapes.jsonl", json.dumps(hostile_record) + "\n", "ok")
    loop = files / "loop"
    loop.mkdir(exist_ok=True)
    if not (loop / "self").exists():
        (loop / "self").symlink_to(loop, target_is_directory=True)
    if big:
        path = files / "big.html"
        with path.open("wb") as stream:
            stream.write(b"<html><body><p>")
            stream.write(b"a " * ((BIG_BYTES - 15) // 2 + 1))
        cases.append(Case("big.html", "file", "fail", str(path)))
    # Outside files/: given by name, the way a user would (a folder walk skips them).
    pdf = out / "unsupported.pdf"
    pdf.write_bytes(b"%PDF-1.4 not really")
    cases.append(Case("unsupported.pdf", "file", "fail", str(pdf)))
    fifo = out / "fifo.jsonl"
    if not fifo.exists():
        os.mkfifo(fifo)
    cases.append(Case("fifo.jsonl", "file", "fail", str(fifo)))
    return cases


def write_feeds(out: Path) -> list[Case]:
    """Feed bodies to serve during ``tui-reader refresh``."""
    cases: list[Case] = []
    put = _writer(out / "feeds", "feed", cases)

    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10)
    )
    put(
        "entity-bomb.xml",
        f'<?xml version="1.0"?><!DOCTYPE rss [{lol}]><rss version="2.0"><channel>'
        "<title>&lol9;</title><item><title>x</title></item></channel></rss>",
        "fail",
    )
    put(
        "external-entity.xml",
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
        "<description>&xxe;</description></item></channel></rss>",
        "fail",
    )
    items = "".join(
        f"<item><title>Item {i}</title><guid>urn:x:{i}</guid><description>d</description></item>"
        for i in range(FEED_ITEMS)
    )
    put("100k-items.xml", f'<rss version="2.0"><channel><title>Many</title>{items}</channel></rss>',
        "any")  # fmt: skip
    dates = ["Mon, 32 Foo 99999 25:61:61 +9999", "0000-00-00", "-1", "9" * 40, "Tue, 1 Jan 1"]
    dated = "".join(
        f"<item><title>Dated {i} {PROSE[:40]}</title><guid>urn:d:{i}</guid>"
        f"<pubDate>{d}</pubDate><description>{PROSE}</description></item>"
        for i, d in enumerate(dates)
    )
    put("bad-dates.xml", f'<rss version="2.0"><channel><title>Dates</title>{dated}</channel></rss>',
        "ok")  # fmt: skip
    put("not-a-feed.xml", _page(_article()), "fail")
    put("binary.xml", random.Random(SEED).randbytes(5000), "fail")
    put("empty.xml", b"", "fail")
    escapes = (
        f'<rss version="2.0"><channel><title>Esc {MARKUP}</title><item><title>Esc {MARKUP}'
        f"</title><guid>urn:e:1</guid><description><![CDATA[{ESCAPES} {PROSE}]]></description>"
        "<link>javascript:alert(1)</link></item></channel></rss>"
    )
    put("escapes.xml", escapes, "ok")
    return cases


def write_opml(out: Path) -> list[Case]:
    """OPML files for ``tui-reader feed import``."""
    cases: list[Case] = []
    put = _writer(out / "opml", "opml", cases)

    head = '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
    deep = '<outline text="f">' * DEPTH + "</outline>" * DEPTH
    put("deep.opml", f"{head}{deep}</body></opml>", "fail")
    own = "http://127.0.0.1:9/subscriptions.opml"
    cycle = (
        f'<outline text="me" type="include" url="{own}"/>'
        f'<outline text="again" type="link" url="{own}" xmlUrl="{own}"/>'
        '<outline text="a"><outline text="b" xmlUrl="http://127.0.0.1:9/a.xml"/></outline>'
        '<outline text="a"><outline text="b" xmlUrl="http://127.0.0.1:9/a.xml"/></outline>'
    )
    put("cycle.opml", f"{head}{cycle}</body></opml>", "ok")
    put(
        "bomb.opml",
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<opml version="2.0"><body><outline text="&b;" xmlUrl="http://127.0.0.1:9/x"/>'
        "</body></opml>",
        "fail",
    )
    put("not-opml.opml", "<html><body>nope</body></html>", "fail")
    put(
        "odd-schemes.opml",
        f'{head}<outline text="js" xmlUrl="javascript:alert(1)"/>'
        '<outline text="file" xmlUrl="file:///etc/passwd"/></body></opml>',
        "any",
    )
    return cases


URLS = (
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "ftp://example.org/x",
    "http://",
    "http://exa mple.org/",
    "http://[::1",
    "-rf",
    "http://127.0.0.1:99999/",
)

QUERIES = (
    '"unbalanced',
    "(open",
    "close)",
    "[a TO",
    "{x",
    "title:",
    ":",
    "date:yesterday",
    "date:[2020 to",
    "AND OR NOT",
    "*",
    "a" * 10_000,
    "x " * 5_000,
    "(" * 500 + "a" + ")" * 500,
    "unknownfield:x",
    "\x00\x1b[31m",
    "title:(a OR",
    "is:nothing",
)


def write_all(out: Path, big: bool = True) -> list[Case]:
    """The whole corpus; returns its cases."""
    cases = write_files(out, big) + write_feeds(out) + write_opml(out)
    cases += [Case(f"url-{i}", "url", "fail", url) for i, url in enumerate(URLS)]
    cases += [Case(f"query-{i}", "query", "any", q) for i, q in enumerate(QUERIES)]
    return cases


def main() -> int:
    """Write the corpus and a manifest.json describing each case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-big", action="store_true", help="skip the 50 MB file")
    args = parser.parse_args()
    cases = write_all(args.out, big=not args.no_big)
    manifest = [case.__dict__ for case in cases]
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    print(f"{len(cases)} hostile cases in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
