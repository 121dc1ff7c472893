"""How the report page shows a protocol fingerprint: what every row under it shares, and the sampling (each
cell's own evaluation seed) said once in words, so that one row's `"sampling": {"seed": 1}` is never shown as if
one seed served the whole run."""

from __future__ import annotations

from collections.abc import Iterable


def protocol_shown(protocols: Iterable[dict]) -> tuple[dict, str]:
    """(the fingerprint fields every row shares, with each field that differs between rows listed by its values;
    one sentence on the sampling seeds and noise, '' when the rows record none)."""
    protocols = [p for p in protocols if isinstance(p, dict)]
    if not protocols:
        return {}, ""
    shown: dict = {}
    for key in dict.fromkeys(k for p in protocols for k in p):
        if key == "sampling":
            continue
        values = [p.get(key) for p in protocols]
        distinct = list({repr(v): v for v in values}.values())
        shown[key] = distinct[0] if len(distinct) == 1 else {"differs between rows": distinct}
    samplings = [p["sampling"] for p in protocols if isinstance(p.get("sampling"), dict)]
    if not samplings:
        return shown, ""
    seeds = sorted({s.get("seed") for s in samplings if s.get("seed") is not None})
    noise = sorted({str(s.get("noise")) for s in samplings if s.get("noise")})
    seed_text = ", ".join(map(str, seeds))
    sentence = (
        f"sampling: each cell draws its evaluation samples with its own seed (here {len(seeds)} seed"
        f"{'s' if len(seeds) != 1 else ''}: {seed_text})"
        + (f"; noise: {'; '.join(noise)}" if noise else "")
        + ". The sampling is not part of the comparable protocol."
    )
    return shown, sentence
