"""Error messages quote a bounded prefix of what was sent, and show no internal path."""

from __future__ import annotations

from diagnosis.quoting import MAX_DETAIL_CHARS, MAX_QUOTE_CHARS, public_detail, quote


def test_a_long_string_is_quoted_by_its_prefix_and_its_length() -> None:
    quoted = quote("A" * 10_000_000)
    assert quoted == repr("A" * MAX_QUOTE_CHARS) + "... (10000000 characters)"


def test_short_values_are_quoted_whole_and_containers_are_cut() -> None:
    assert quote("$\\foo$") == repr("$\\foo$")
    assert quote(3.5) == "3.5"
    assert len(quote(list(range(200_000)))) <= MAX_QUOTE_CHARS
    assert len(quote({f"m{i}": i for i in range(200_000)})) <= MAX_QUOTE_CHARS
    assert len(quote(b"x" * 1000)) <= MAX_QUOTE_CHARS


def test_public_detail_keeps_file_names_and_drops_directories() -> None:
    detail = public_detail(
        "the model cannot be loaded: File not found: filepath=/tmp/tmpyfumlnse/model.keras. "
        "Send application/json or text/csv; see http://example.com/a/b; 50/second; /v1/jobs/abc"
    )
    assert "/tmp" not in detail
    assert "filepath=model.keras." in detail
    assert "application/json or text/csv" in detail
    assert "http://example.com/a/b" in detail
    assert "50/second" in detail
    assert "/v1/jobs/abc" in detail
    assert "'model.keras'" in public_detail("cannot open '/var/lib/convdiag/bundles/ab12/model.keras'")


def test_public_detail_is_bounded() -> None:
    assert len(public_detail("x" * 5_000_000)) == MAX_DETAIL_CHARS
