import gzip
import json
import os
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from tui_reader.cli import build_parser, main

SEED_TEXT = (FIXTURES / "id-gempa.txt").read_text()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write_jsonl(path: Path, records: list[object], gz: bool = False) -> Path:
    lines = "".join(json.dumps(r) + "\n" if not isinstance(r, str) else r + "\n" for r in records)
    if gz:
        path.write_bytes(gzip.compress(lines.encode()))
    else:
        path.write_text(lines)
    return path


RECORDS = [
    {"title": "Presiden resmikan bendungan", "text": "Presiden meresmikan bendungan baru di Jawa "
     "Tengah yang akan mengairi ribuan hektar sawah.", "url": "https://a.example/1",
     "date": "2019-05-02", "lang": "id", "source": "okezone", "tags": ["infrastruktur"]},
    {"title": "Rain delays the harvest", "text": "Heavy rain delayed the wheat harvest across "
     "the plains, farmers said on Monday.", "date": "2019-08-11T10:20", "lang": "en",
     "site": "Farm News", "author": "J. Doe", "extra": "ignored"},
    {"title": "Presiden bertemu petani", "text": "Presiden bertemu para petani di Karawang pada "
     "tahun 2021 untuk membahas harga gabah.", "date": "2021-03-03", "lang": "id"},
]  # fmt: skip


def test_every_command_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        assert command.format_help().strip(), name
        assert [a.help for a in sub._choices_actions if a.dest == name][0], name  # type: ignore[attr-defined]


def test_import_search_show_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "a.jsonl.gz", RECORDS, gz=True)
    code, out, err = run(
        capsys, "import", str(data), str(FIXTURES / "pages"), str(FIXTURES / "id-gempa.txt")
    )
    assert code == 0, err
    assert out.strip() == "6 imported, 0 updated, 0 duplicates, 0 failed"

    code, out, _ = run(capsys, "search", "date:2019", "presiden", "--json")
    hits = json.loads(out)
    assert [h["title"] for h in hits] == ["Presiden resmikan bendungan"]
    assert set(hits[0]) >= {"id", "title", "url", "site", "date", "lang", "score", "snippet"}
    assert hits[0]["site"] == "okezone" and hits[0]["date"].startswith("2019-05-02")

    code, out, _ = run(capsys, "search", "berkunjung")
    assert "Gempa berkekuatan" in out and "**berkunjung**" in out

    code, out, _ = run(capsys, "show", str(hits[0]["id"]), "--format", "json")
    assert json.loads(out)["tags"] == ["infrastruktur"]
    code, out, _ = run(capsys, "show", str(hits[0]["id"]))
    assert out.startswith("# Presiden resmikan bendungan")


def test_export_then_import_round_trips(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "import", str(write_jsonl(tmp_path / "a.jsonl", RECORDS)))
    out_file = tmp_path / "export.jsonl"
    code, _, err = run(capsys, "export", "--output", str(out_file))
    assert code == 0 and "exported 3 articles" in err
    exported = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert {r["title"] for r in exported} == {r["title"] for r in RECORDS}
    os.environ["TUI_READER_HOME"] = str(tmp_path / "other")
    code, out, _ = run(capsys, "import", str(out_file))
    assert out.strip() == "3 imported, 0 updated, 0 duplicates, 0 failed"
    code, out, _ = run(capsys, "export")
    again = [json.loads(line) for line in out.splitlines()]
    assert sorted(again, key=lambda r: r["title"]) == sorted(exported, key=lambda r: r["title"])


def test_export_markdown_of_a_query(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "import", str(write_jsonl(tmp_path / "a.jsonl", RECORDS)))
    code, out, _ = run(capsys, "export", "harvest", "--format", "md")
    assert code == 0 and out.startswith("# Rain delays the harvest") and "Presiden" not in out


def test_reimport_updates_and_duplicates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = write_jsonl(tmp_path / "a.jsonl", RECORDS)
    run(capsys, "import", str(data))
    moved = dict(RECORDS[1], url="https://elsewhere.example/x")
    code, out, _ = run(capsys, "import", str(data), str(write_jsonl(tmp_path / "b.jsonl", [moved])))
    # record 1 has a URL (update); 2 and 3 have none and the same text (duplicates);
    # the moved copy of 2 is a duplicate too
    assert out.strip() == "0 imported, 1 updated, 3 duplicates, 0 failed"


def test_bad_input_fails_clearly_and_leaves_the_archive_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "import", str(write_jsonl(tmp_path / "good.jsonl", RECORDS[:1])))
    (tmp_path / "binary.html").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n")
    bad = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            '{"title": "x", "text": ',
            "[1, 2]",
            '{"title": "no text"}',
            '{"text": "ok", "date": "soon"}',
            RECORDS[2],
        ],
    )
    code, out, err = run(
        capsys, "import", str(tmp_path / "binary.html"), str(tmp_path / "empty.txt"),
        str(tmp_path / "photo.png"), str(tmp_path / "missing.txt"), str(bad),
    )  # fmt: skip
    assert code == 1
    assert out.strip() == "1 imported, 0 updated, 0 duplicates, 8 failed"
    lines = err.strip().splitlines()
    assert len(lines) == 8 and all(line.startswith("tui-reader: failed: ") for line in lines)
    for expected in ("binary data", "empty file", "unsupported file type", "no such file",
                     "bad.jsonl:1: invalid JSON", "bad.jsonl:2: a line must be a JSON object",
                     "bad.jsonl:3: no 'text'", "not an ISO date"):  # fmt: skip
        assert expected in err, expected
    assert "Traceback" not in err
    code, out, _ = run(capsys, "stats", "--json")
    assert json.loads(out)["articles"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", '"Korea Utara'], "unbalanced quote"),
        (["search", "nope:x"], "unknown field nope:"),
        (["show", "999"], "no article #999"),
        (["entities", "999"], "no article #999"),
    ],
)
def test_errors_are_one_line_and_non_zero(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 1
    assert err.strip().count("\n") == 0 and message in err and err.startswith("tui-reader: error:")


def test_unreadable_file_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read anything")
    path = tmp_path / "secret.txt"
    path.write_text(SEED_TEXT)
    path.chmod(0)
    code, _, err = run(capsys, "import", str(path))
    assert code == 1 and "permission denied" in err


def test_stats_doctor_reindex(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "import", str(write_jsonl(tmp_path / "a.jsonl", RECORDS)))
    code, out, _ = run(capsys, "stats")
    assert code == 0 and "Articles: 3" in out and "2019-05" in out
    code, out, _ = run(capsys, "reindex")
    assert code == 0 and out.startswith("indexed 3 articles")
    code, out, _ = run(capsys, "doctor")
    assert code == 0 and "all good" in out


def test_entities_of_a_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("tui_reader.entities")
    text = tmp_path / "t.txt"
    text.write_text("Presiden Joko Widodo tiba di Surabaya pada hari Senin.")
    code, out, _ = run(capsys, "entities", "--text", str(text), "--lang", "id", "--json")
    assert code == 0
    for item in json.loads(out):
        assert text.read_text()[item["start"] : item["end"]] == item["text"]
