"""One host's view of the figures: what pages and the seed's endpoints read, so a single
machine (or the one picked) reads as if figures had no host at all."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from monitor.fleet.hosts import HOST
from monitor.samples import Labels, Sample, series_key
from monitor.store import Latest


def on_host(labels: Labels, host: str | None) -> Labels:
    """`labels` with `host` added (unchanged without one)."""
    if host is None:
        return labels
    return tuple(sorted((*(pair for pair in labels if pair[0] != HOST), (HOST, host))))


def host_of(labels: Labels) -> str | None:
    return next((value for key, value in labels if key == HOST), None)


def without_host(labels: Labels) -> Labels:
    return tuple(pair for pair in labels if pair[0] != HOST)


_HOST_PAIR = re.compile(HOST + r'="(?:[^"\\]|\\.)*"')


def unhosted(key: str) -> str:
    """A printed series name (`series_key`) without its host: `cpu{host="a",probe="b"}` →
    `cpu{probe="b"}`, `cpu{host="a"}` → `cpu`."""
    name, brace, labels = key.partition("{")
    if not brace:
        return key
    pairs = [p for p in re.split(r',(?=[A-Za-z_]+=")', labels[:-1]) if not _HOST_PAIR.fullmatch(p)]
    return f"{name}{{{','.join(pairs)}}}" if pairs else name


def for_host(series: Iterable[tuple[str, Labels, Latest]], host: str | None) -> dict[str, Latest]:
    """The newest values keyed as `HistoryStore.latest()` keys them, with the figures of
    `host` under their names without the host (`performance.cpuUsage`), other hosts' left
    out, and the shop's own figures as they are."""
    found: dict[str, Latest] = {}
    for name, labels, newest in series:
        owner = host_of(labels)
        if owner is None:
            found.setdefault(series_key(name, labels), newest)
        elif owner == host:
            found[series_key(name, without_host(labels))] = newest
    return found


def pick(hosts: Sequence[str], wanted: str | None = None, own: str | None = None) -> str | None:
    """The host a view shows: the one asked for, else this machine if it is one of the
    fleet, else the first by name; None while no host has written."""
    if wanted in hosts:
        return wanted
    if own in hosts:
        return own
    return min(hosts) if hosts else None


def stamped(samples: Iterable[Sample], host: str, per_host: Callable[[str], bool]) -> list[Sample]:
    """`samples` with the machine's figures (those `per_host` names) labelled with `host`."""
    return [
        sample._replace(labels=on_host(sample.labels, host)) if per_host(sample.name) else sample
        for sample in samples
    ]
