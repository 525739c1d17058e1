"""HTTP byte ranges: which bytes a Range header asks for, in a file of a known size."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcase.core.byterange import NotSatisfiable, Span, parse_range


@pytest.mark.parametrize(
    ("header", "span"),
    [
        ("bytes=0-99", Span(0, 99)),
        ("bytes=10-19", Span(10, 19)),
        ("bytes=5-5", Span(5, 5)),
        ("bytes=990-2000", Span(990, 999)),  # past the end: cut to the end
        ("bytes=990-", Span(990, 999)),
        ("bytes=0-", Span(0, 999)),
        ("bytes=-10", Span(990, 999)),
        ("bytes=-5000", Span(0, 999)),  # a suffix longer than the file: the whole file
        ("Bytes = 1-2", Span(1, 2)),  # the unit's case and the spaces around it do not matter
    ],
)
def test_a_single_range_is_the_span_it_names(header, span):
    assert parse_range(header, 1000) == span


@pytest.mark.parametrize(
    "header",
    [
        "",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=abc-def",
        "bytes=20-10",  # last before first
        "bytes=+1-5",
        "bytes=1_0-20",
        "bytes=٣-5",  # a digit, but not an ASCII one
        "items=0-5",
        "bytes=0-1,5-6",  # several ranges: the whole file instead
    ],
)
def test_a_header_that_is_not_one_plain_byte_range_asks_for_the_whole_file(header):
    assert parse_range(header, 1000) is None


@pytest.mark.parametrize(
    ("header", "size"),
    [("bytes=1000-", 1000), ("bytes=1000-1005", 1000), ("bytes=-0", 1000), ("bytes=-5", 0)],
)
def test_a_range_past_the_end_or_of_no_bytes_is_not_satisfiable(header, size):
    with pytest.raises(NotSatisfiable):
        parse_range(header, size)


@given(
    size=st.integers(min_value=1, max_value=10**12),
    first=st.integers(min_value=0, max_value=10**12),
    length=st.integers(min_value=1, max_value=10**12),
)
def test_a_served_span_lies_inside_the_file_and_starts_where_asked(size, first, length):
    header = f"bytes={first}-{first + length - 1}"
    if first >= size:
        with pytest.raises(NotSatisfiable):
            parse_range(header, size)
        return
    span = parse_range(header, size)
    assert span is not None
    assert span.first == first and 0 <= span.first <= span.last < size
    assert span.length == min(length, size - first)
