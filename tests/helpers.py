"""Small builders shared by tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tui_reader.archive import Archive
from tui_reader.models import ArticleDraft

FIXTURES = Path(__file__).parent / "fixtures"

ID_VISIT = ArticleDraft(
    title="Presiden berkunjung ke Surabaya",
    text=(
        "Presiden Joko Widodo berkunjung ke Surabaya pada hari Senin untuk meresmikan "
        "jembatan baru. Kunjungan itu disambut ribuan warga di sepanjang jalan.\n\n"
        "Gubernur Jawa Timur mendampingi presiden selama kunjungannya."
    ),
    url="https://news.example.id/kunjungan-presiden?utm_source=x",
    site="Kabar Contoh",
    published=datetime(2019, 3, 4, 9, 0),
    lang="id",
)
EN_VISIT = ArticleDraft(
    title="Minister visited the flood zone",
    text=(
        "The minister visited the flooded villages on Tuesday and promised new funds for "
        "the river defences. Residents said the visit came too late.\n\n"
        "Officials are visiting the other districts this week."
    ),
    url="https://news.example.com/minister-flood",
    site="Example Times",
    published=datetime(2023, 9, 20, 12, 0),
    lang="en",
)
ID_OTHER = ArticleDraft(
    title="Harga beras naik di pasar tradisional",
    text=(
        "Harga beras medium naik menjadi Rp 14.000 per kilogram di pasar tradisional Jakarta. "
        "Pedagang mengeluhkan pasokan yang menurun sejak awal bulan."
    ),
    url="https://news.example.id/harga-beras",
    site="Kabar Contoh",
    published=datetime(2019, 7, 1, 8, 0),
    lang="id",
)


def make_archive(home: Path, *drafts: ArticleDraft) -> Archive:
    """An archive at ``home`` holding ``drafts`` (entities off: fast and deterministic)."""
    archive = Archive.open(home)
    for draft in drafts:
        archive.add_draft(draft)
    return archive
