"""A backfill's samples laid out as blocks (see blocks.py) and handed to PostgreSQL as a few
arrays in its binary format (its documented wire format): the blocks' keys, where each one's
samples begin and end, and the write's seconds and values. psycopg would dump each element
with a Python call of its own, which cost more than the whole server's work; numpy lays out a
write's elements at once, and one statement stores them (blocks.BULK)."""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from operator import itemgetter

import numpy as np
import psycopg
from psycopg.abc import AdaptContext
from psycopg.adapt import Dumper
from psycopg.pq import Format

from monitor.samples import Labels, Sample
from monitor.store.blocks import HOUR

_HEAD = struct.Struct(">iiiii")  # dimensions, has nulls, element type, size, first index


class Encoded(bytes):
    """An array already in PostgreSQL's binary format; a subclass per array type."""

    oid = 0  # the array type's
    element = 0  # its elements'
    layout = ""  # an element's numpy type (big-endian, as the wire wants)


class Int2s(Encoded):
    oid, element, layout = 1005, 21, ">i2"


class Int4s(Encoded):
    oid, element, layout = 1007, 23, ">i4"


class Int8s(Encoded):
    oid, element, layout = 1016, 20, ">i8"


class Float8s(Encoded):
    oid, element, layout = 1022, 701, ">f8"


def encode(kind: type[Encoded], values: np.ndarray) -> Encoded:
    """`values` as an array of `kind`: each element its length then its bytes."""
    width = np.dtype(kind.layout).itemsize
    laid = np.empty(len(values), [("size", ">i4"), ("value", kind.layout)])
    laid["size"], laid["value"] = width, values
    return kind(_HEAD.pack(1, 0, kind.element, len(values), 1) + laid.tobytes())


class _Passed(Dumper):
    """Hands an Encoded array to the server as it is."""

    format = Format.BINARY

    def __init__(self, cls: type, context: AdaptContext | None = None) -> None:
        super().__init__(cls, context)
        self.oid = cls.oid  # type: ignore[attr-defined]  # an Encoded subclass's

    def dump(self, obj: object) -> bytes:
        assert isinstance(obj, bytes)
        return obj


def register(connection: psycopg.Connection[object]) -> None:
    """Let `connection` pass Encoded arrays as they are (with %b placeholders)."""
    for kind in (Int2s, Int4s, Int8s, Float8s):
        connection.adapters.register_dumper(kind, _Passed)


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
        self.sid, self.hour = sid[starts], hour[starts]
        self.first, self.last = starts + 1, np.r_[starts[1:], len(sid)]  # 1-based, inclusive
        self.secs, self.vals = ts - hour, val

    def params(self) -> dict[str, Encoded]:
        """The blocks as blocks.BULK's parameters."""
        return {
            "sids": encode(Int4s, self.sid),
            "hours": encode(Int8s, self.hour),
            "firsts": encode(Int4s, self.first),
            "lasts": encode(Int4s, self.last),
            "secs": encode(Int2s, self.secs),
            "vals": encode(Float8s, self.vals),
        }
