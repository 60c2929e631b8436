"""The benchmark scripts run end to end on a tiny synthetic corpus (so they cannot rot).

Figures are not checked, only that every section runs and reports what it should.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import common  # noqa: E402
import compare  # noqa: E402
import ingest  # noqa: E402
import run  # noqa: E402
import search  # noqa: E402

ID_LINES = [
    "Presiden Joko Widodo melakukan kunjungan kerja ke Jakarta pada hari Senin.",
    "Warga berkunjung ke lokasi banjir dan pemerintah membangun tanggul baru.",
    "Menteri mengunjungi korban kabut asap di Riau dan berbicara dengan warga.",
    "Pembicaraan soal pembangunan jalan dibicarakan di gedung DPR Senayan.",
    "Pertandingan sepak bola itu dikunjungi ribuan penonton dari Jawa Barat.",
]
EN_LINES = [
    "The prime minister visited London and spoke about the election.",
    "Oil prices were rising as the central bank raised interest rates.",
    "Reuters reported that Japan elected a new government after visits abroad.",
    "Cocoa production is rising on Wall Street, traders reported on Monday.",
    "The visiting minister said profit and trade were reported higher.",
]


def _records(lines: list[str], lang: str, count: int) -> Iterator[dict[str, Any]]:
    for n in range(count):
        text = "\n\n".join([*(lines[(n + k) % len(lines)] for k in range(4)), f"No. {n}."])
        yield {
            "id": f"{lang}-{n}",
            "lang": lang,
            "title": lines[n % len(lines)][:60],
            "date": f"2019-09-{1 + n % 28:02d}",
            "source": "Kompas.com" if lang == "id" else "Reuters",
            "text": text,
        }


def _gz_jsonl(path: Path, records: Iterator[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder laid out like the shared one: news files and two HTML pages."""
    root = tmp_path_factory.mktemp("corpus")
    _gz_jsonl(root / "news" / "id-clickid.jsonl.gz", _records(ID_LINES, "id", 15))
    _gz_jsonl(root / "news" / "en-bbc.jsonl.gz", _records(EN_LINES, "en", 15))
    for name, lines in (("scrapinghub-aeb", EN_LINES), ("trafilatura-eval", ID_LINES)):
        body = "".join(f"<p>{line}</p>" for line in lines * 3)
        page = f"<html><head><title>{lines[0]}</title></head><body><article>{body}</article>"
        folder = root / "extraction" / name / "html"
        folder.mkdir(parents=True)
        (folder / "page.html.gz").write_bytes(gzip.compress(f"{page}</body></html>".encode()))
    return root


@pytest.fixture(scope="module")
def home(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cached archive of the 30 synthetic articles."""
    return common.cached_archive(tmp_path_factory.mktemp("work"), corpus, 1000)


def _mini_mix() -> dict[str, Any]:
    mix = search.load_mix()
    queries = [
        q for q in mix["queries"] if q["q"] in ("banjir", '"wall street"', "place:riau asap")
    ]
    families = [f for f in mix["families"] if f["name"] in ("kunjung", "visit")]
    return {"queries": queries, "families": families}


def test_corpus_records_mix_languages(corpus: Path) -> None:
    records = list(common.news_records(corpus, 10))
    assert len(records) == 10
    assert {r["lang"] for r in records[:2]} == {"id", "en"}
    assert common.corpus_size(corpus) == 30


def test_cached_archive_is_reused(corpus: Path, home: Path) -> None:
    assert (home / "complete.json").exists()
    assert common.cached_archive(home.parent, corpus, 1000) == home


def test_every_committed_query_parses(home: Path) -> None:
    from tui_reader.archive import Archive

    with Archive.open(home) as archive:
        for item in search.load_mix()["queries"]:
            archive.search(item["q"], limit=5)  # raises QueryError on a broken query


def test_search_and_compare_sections(home: Path) -> None:
    from tui_reader.archive import Archive

    with Archive.open(home) as archive:
        found = search.run(archive, _mini_mix(), repeat=1)
        compared = compare.run(archive, home, _mini_mix(), repeat=1)
    assert found.figures["groups"]["WHOLE MIX (valid)"]["n"] > 0
    assert "LIKE date-ordered" in compared.figures["latency"]
    assert compared.figures["recall_id"]["ours"] is not None
    names = {g.name for g in found.goals + compared.goals}
    assert "search p95, whole mix incl. as-you-type" in names
    assert "recall on Indonesian variants" in names


def test_ingest_and_reindex_sections(corpus: Path, home: Path, tmp_path: Path) -> None:
    section = ingest.run_ingest(corpus, 12, 2, tmp_path / "ingest")
    assert section.figures["jsonl"]["added"] == 12
    assert section.figures["html"]["added"] == 2
    rebuilt = ingest.run_reindex(home, [10, 30], tmp_path / "reindex")
    assert [r["articles"] for r in rebuilt.figures["runs"]] == [10, 30]


def test_run_writes_json(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run.main(["--only", "reindex", "--home", str(home), "--reindex-sizes", "5", "--out", str(out)])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["goals"][0]["name"].startswith("reindex")
    assert json.loads((out / "reindex.json").read_text())["runs"][0]["articles"] == 5
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "nonsense"])


def test_ner_agreement_compares_shared_sentences(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ner_agreement

    def write(folder: str, name: str, sentences: list[list[tuple[str, str]]]) -> None:
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        blocks = ["\n".join(f"{w}\t{t}" for w, t in s) for s in sentences]
        path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")

    shared = [("Presiden", "O"), ("Jokowi", "B-PER"), ("ke", "O"), ("Israel", "B-LOC")]
    other = [("presiden", "O"), ("jokowi", "B-PPL"), ("ke", "O"), ("israel", "O")]
    write("id-idner-news-2k", "train.txt", [shared, [("Di", "O"), ("Bali", "B-LOC")]])
    write("id-nerp", "train.txt", [other])
    sets = ner_agreement.SETS[:2]
    a, b = (ner_agreement.load(tmp_path, d, files) for _, d, files in sets)
    assert ner_agreement.compare(a, b) == (1, 1, 1, 0)  # Jokowi agreed, Israel only in A
    # One mention only A has: with it B scores 2/3, without it A does; either way 2/3.
    assert ner_agreement.ceiling(1, 1, 0)[0] == pytest.approx(2 / 3)
    # 10 shared, 4 A-only, 2 B-only: adding 3 of A's and both of B's gives A 26/29 and
    # B 24/27, the best lower score there is.
    assert ner_agreement.ceiling(10, 4, 2) == (pytest.approx(24 / 27), 3, 2)
    monkeypatch.setattr(sys, "argv", ["ner_agreement.py", "--data", str(tmp_path)])
    ner_agreement.main()
    assert "idner-news-2k / NERP" in capsys.readouterr().out
