"""Feed parsing, discovery, HTML to text and OPML, on small fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_reader.errors import InputError
from tui_reader.feeds import (
    OpmlFeed,
    build_opml,
    discover_feeds,
    html_to_text,
    looks_like_feed,
    parse_feed,
    parse_opml,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fetch"
BASE = "https://kabar.example.id"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"{base}", BASE.encode())


def test_parse_rss() -> None:
    feed = parse_feed(_fixture("rss.xml"), f"{BASE}/feed.xml")
    assert feed.title == "Kabar Contoh" and feed.site_url == f"{BASE}/"
    assert [e.key for e in feed.entries] == ["kabar-1", "kabar-2", "kabar-3"]
    gempa = feed.entries[2]
    assert gempa.link == f"{BASE}/articles/missing.html"
    assert gempa.text.startswith("Gempa bermagnitudo 4,1") and "alert" not in gempa.text
    assert gempa.published is not None and gempa.published.year == 2024


def test_parse_atom() -> None:
    feed = parse_feed(_fixture("atom.xml"), f"{BASE}/atom.xml")
    assert feed.title == "River News"
    assert feed.entries[1].text == (
        "The ferry across the estuary runs again after repairs to the landing stage."
    )


RELATIVE_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Relative</title><link href="/"/>
  <entry><id>a</id><title>Plain</title><link href="/berita/satu.html"/></entry>
  <entry xml:base="https://cdn.example.org/mirror/"><id>b</id><title>Absolute base</title>
    <link href="dua.html"/></entry>
  <entry xml:base="arsip/"><id>c</id><title>Relative base</title>
    <link href="tiga.html"/></entry>
</feed>"""


def test_relative_links_resolve_against_the_feed_and_xml_base() -> None:
    feed = parse_feed(RELATIVE_ATOM, f"{BASE}/feeds/atom.xml")
    assert feed.site_url == f"{BASE}/"
    assert [e.link for e in feed.entries] == [
        f"{BASE}/berita/satu.html",
        "https://cdn.example.org/mirror/dua.html",
        f"{BASE}/feeds/arsip/tiga.html",
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [("bomb.xml", "declares entities"), ("malformed.xml", "not a valid feed")],
)
def test_bad_feeds_are_refused(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_feed(_fixture(name), f"{BASE}/{name}")


def test_html_page_is_not_a_feed() -> None:
    page = _fixture("article-en.html")
    assert not looks_like_feed("text/html", page)
    with pytest.raises(InputError):
        parse_feed(page, BASE)


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    text = html_to_text("<p>One <b>bold</b></p><script>x()</script><p>Two<br>lines</p>\u202e")
    assert text == "One bold\n\nTwo\nlines"


def test_discover_feeds() -> None:
    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="/rss">
    <link rel="alternate" type="application/atom+xml" href="https://other.example/atom">
    <link rel="alternate" type="text/html" href="/en">
    <link rel="stylesheet" type="application/rss+xml" href="/no">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    </head><body></body></html>"""
    assert discover_feeds(page, f"{BASE}/news/") == [f"{BASE}/rss", "https://other.example/atom"]


def test_parse_opml_folders_become_tags() -> None:
    feeds = {f.url: f for f in parse_opml(_fixture("subscriptions.opml"))}
    assert feeds["https://example.org/top.xml"].tags == ()
    assert feeds["https://example.org/top.xml"].site_url == "https://example.org/"
    assert feeds["https://kabar.example.id/feed.xml"].tags == ("Berita", "Tech")
    assert feeds["https://daerah.example.id/rss"].tags == ("Berita", "Daerah")
    assert feeds["https://daerah.example.id/rss"].title == "Daerah Contoh"
    assert feeds["https://tagged.example.com/atom"].tags == ("science", "space")


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE opml [<!ENTITY a "x">]><opml><body/></opml>',
        b"<html><body/></html>",
        b"<opml><body>",
        b"<opml><body>" + b"<outline text='x'>" * 40 + b"</outline>" * 40 + b"</body></opml>",
    ],
)
def test_bad_opml_is_refused(data: bytes) -> None:
    with pytest.raises(InputError):
        parse_opml(data)


def test_build_opml_round_trips() -> None:
    feeds = [
        OpmlFeed("https://a.example/rss", "A & B <news>", None, ()),
        OpmlFeed("https://b.example/rss", "B", "https://b.example/", ("id", "politik")),
    ]
    assert parse_opml(build_opml(feeds).encode()) == feeds
