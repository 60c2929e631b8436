import pytest

from tui_reader.errors import QueryError
from tui_reader.index.fields import build_schema
from tui_reader.index.query import check_syntax, make_parser, parse_query


@pytest.fixture(scope="module")
def parser() -> object:
    return make_parser(build_schema())


def fields_of(q: object) -> set[str]:
    return {name for name, _ in q.iter_all_terms()}  # type: ignore[attr-defined]


def test_plain_words_search_every_language(parser: object) -> None:
    q = parse_query(parser, "berkunjung")
    assert fields_of(q) == {f"{p}_{k}" for p in ("title", "body") for k in ("id", "en", "xx")}
    # each language analyses the word its own way
    assert ("body_id", "kunjung") in set(q.iter_all_terms())
    assert ("body_en", "berkunjung") in set(q.iter_all_terms())


def test_title_alias_fans_out(parser: object) -> None:
    assert fields_of(parse_query(parser, "title:presiden")) == {"title_id", "title_en", "title_xx"}


def test_entity_and_meta_fields(parser: object) -> None:
    q = parse_query(parser, 'person:"Kim Jong Un" place:Vladivostok lang:id tag:politik')
    assert {"person", "place", "lang", "tag"} <= fields_of(q)


@pytest.mark.parametrize(
    "text",
    ["date:2023-09", "date:[2023-09-01 to 2023-09-30]", "date:>2023-09-01", "date:2019 presiden"],
)
def test_date_forms_parse(parser: object, text: str) -> None:
    parse_query(parser, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"Korea Utara', "unbalanced quote"),
        ("(a OR b", "missing ')'"),
        ("a OR b)", "unexpected ')'"),
        ("date:kemarin", "date:kemarin: use a date like"),
        ("colour:red", "unknown field colour:"),
        ("x" * 3000, "query too long"),
    ],
)
def test_malformed_queries_give_one_clear_error(parser: object, text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_query(parser, text)


def test_brackets_inside_phrases_are_text() -> None:
    check_syntax('"a (b" c')
