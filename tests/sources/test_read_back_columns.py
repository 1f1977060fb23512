"""read_back converts stored rows a column at a time; each column must come out as converting
its values one by one would (the rules of ``_from_json`` and ``_from_db_time``)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.sources.ingest import (
    _bool_column,
    _from_db_time,
    _from_json,
    _json_column,
    _time_column,
)

_TIMES = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1))
_ZONES = st.sampled_from([UTC, timezone.get_fixed_timezone(60), timezone.get_fixed_timezone(-330)])


@given(st.lists(st.one_of(
    st.none(),
    _TIMES.map(lambda t: t.isoformat(" ")),  # SQLite's naive UTC text
    st.builds(lambda t, z: t.replace(tzinfo=z).isoformat(" "), _TIMES, _ZONES),  # with offset
    _TIMES,  # parsed, naive
    st.builds(lambda t, z: t.replace(tzinfo=z), _TIMES, _ZONES)), min_size=1))
@settings(max_examples=300, deadline=None)
def test_read_backs_time_column_equals_converting_each_value(values):
    """read_back converts a column at once; whatever the column holds (text or datetimes,
    naive or not, None), each value must come out as converting it alone gives."""
    out = _time_column(tuple(values))
    expected = [None if v is None else _from_db_time(v) for v in values]
    assert out == expected
    assert [getattr(v, "tzinfo", None) for v in out] == [
        getattr(v, "tzinfo", None) for v in expected]


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**60, 2**60) | st.text(),
                     lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                     max_leaves=5)


@given(st.lists(st.one_of(
    st.none(), _JSON.map(lambda v: orjson.dumps(v).decode()), _JSON.map(orjson.dumps),
    st.lists(st.text())), min_size=1))
@settings(max_examples=300, deadline=None)
def test_read_backs_json_and_bool_columns_equal_converting_each_value(values):
    assert _json_column(tuple(values)) == [None if v is None else _from_json(v) for v in values]
    flags = [None if v is None else bool(v) for v in values]
    assert _bool_column(tuple(v if v is None else (1 if v else 0) for v in flags)) == flags
