from tui_reader.textutil import clean_line, clean_text, content_hash, normalize_url, word_count


def test_normalize_url_drops_trackers_fragment_and_case() -> None:
    assert (
        normalize_url("HTTPS://WWW.Example.com:443/a/b?utm_source=x&id=3#top")
        == "https://www.example.com/a/b?id=3"
    )
    assert normalize_url("http://example.com") == "http://example.com/"
    assert normalize_url("http://example.com:8080/x") == "http://example.com:8080/x"


def test_content_hash_ignores_spacing_and_case() -> None:
    assert content_hash("Title", "Some  text.\n\nMore") == content_hash("title", "some text more")
    assert content_hash("Title", "Some text") != content_hash("Title", "Other text")


def test_clean_text_strips_controls_bidi_and_zero_width() -> None:
    dirty = "a\x1b[2Jb\u202ec\u200bd\r\ne\x07"
    assert clean_text(dirty) == "a[2Jbcd\ne"
    assert clean_line("  many \n spaces\t") == "many spaces"


def test_word_count_counts_words_in_any_script() -> None:
    assert word_count("Kim Jong Un tiba di Vladivostok.") == 6
    assert word_count("") == 0
