"""A backfill's samples laid out as blocks in PostgreSQL's binary COPY format (its documented
wire format; see blocks.py for the blocks). psycopg would dump each array element with a Python
call of its own, which cost more than the whole server's work; numpy lays out a write's
elements at once."""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from operator import itemgetter

import numpy as np

from monitor.samples import Labels, Sample
from monitor.store.blocks import HOUR

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)
_SMALLINT, _FLOAT8 = 21, 701  # the arrays' element types (pg_type oids)
# fields; series_id; hour; secs' length and array header (dims, no nulls, type, size, base)
_BLOCK = struct.Struct(">hiiiqiiiiii")
_VALS = struct.Struct(">iiiiii")  # vals' length and array header
_SEC = np.dtype([("size", ">i4"), ("value", ">i2")])
_VAL = np.dtype([("size", ">i4"), ("value", ">f8")])
_MARKS = {False: struct.pack(">ii", -1, -1), True: struct.pack(">ihih", 2, 1, 2, 1)}


class Blocks:
    """A write's samples by block: sorted by series and time, the later of two samples of one
    series and second kept, and where each block starts."""

    def __init__(self, samples: Sequence[Sample], ids: Mapping[tuple[str, Labels], int]) -> None:
        count = len(samples)
        keys = zip(map(itemgetter(0), samples), map(itemgetter(3), samples), strict=True)
        sid = np.fromiter(map(ids.__getitem__, keys), np.int32, count)  # KeyError: new series
        ts = np.fromiter(map(itemgetter(2), samples), np.float64, count).astype(np.int64)
        val = np.fromiter(map(itemgetter(1), samples), np.float64, count)
        order = np.lexsort((ts, sid))  # stable: equal keys keep the order they came in
        sid, ts, val = sid[order], ts[order], val[order]
        last = np.ones(count, bool)
        last[:-1] = (sid[1:] != sid[:-1]) | (ts[1:] != ts[:-1])
        if not last.all():
            sid, ts, val = sid[last], ts[last], val[last]
        hour = ts - ts % HOUR
        starts = np.flatnonzero(np.r_[True, (sid[1:] != sid[:-1]) | (hour[1:] != hour[:-1])])
        self.secs, self.vals = (ts - hour).astype(np.int16), val
        self.bounds: list[int] = [*starts.tolist(), len(sid)]
        self.keys: list[tuple[int, int]] = list(
            zip(sid[starts].tolist(), hour[starts].tolist(), strict=True)
        )

    def payload(self, demo: bool) -> bytes:
        """The blocks as one binary COPY stream of blocks.COLUMNS."""
        secs = np.empty(len(self.secs), _SEC)
        secs["size"], secs["value"] = 2, self.secs
        vals = np.empty(len(self.vals), _VAL)
        vals["size"], vals["value"] = 8, self.vals
        sec_bytes, val_bytes = secs.tobytes(), vals.tobytes()
        marks, bounds = _MARKS[demo], self.bounds
        parts = [_HEADER]
        for (sid, hour), first, end in zip(self.keys, bounds, bounds[1:], strict=False):
            size = end - first
            parts.append(_BLOCK.pack(6, 4, sid, 8, hour, 20 + 6 * size, 1, 0, _SMALLINT, size, 1))
            parts.append(sec_bytes[6 * first : 6 * end])
            parts.append(_VALS.pack(20 + 12 * size, 1, 0, _FLOAT8, size, 1))
            parts.append(val_bytes[12 * first : 12 * end])
            parts.append(marks)
        parts.append(_TRAILER)
        return b"".join(parts)
