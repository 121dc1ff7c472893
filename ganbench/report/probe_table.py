"""The metric x damage table of a probe document (ganbench.probe.document): Markdown for people, CSV for
programs, and the sentences under it (what the verdicts mean, what was left out)."""

from __future__ import annotations

import csv
import io

#: Marks a cell whose verdict disagrees with a stored literature claim.
DISAGREES = "≠"
#: Marks a response that is not monotonic across the sweep.
NOT_MONOTONIC = "~"


def effect_text(effect: float, cap: float) -> str:
    """The effect to one decimal; a capped one (a floor with no spread) as +-≥cap."""
    if abs(effect) >= cap:
        return f"{'+' if effect > 0 else '-'}≥{cap:g}"
    return f"{effect:+.1f}"


def cell_text(cell: dict, cap: float) -> str:
    """`verdict (effect)` with the marks: ≠ disagrees with the literature, ~ not monotonic."""
    marks = ("" if cell["monotonic"] else NOT_MONOTONIC) + (DISAGREES if cell["matches"] is False else "")
    return f"{cell['verdict']} ({effect_text(cell['effect'], cap)}){(' ' + marks) if marks else ''}"


def grid(doc: dict) -> tuple[list[str], list[tuple[str, list[dict]]]]:
    """(damage names, [(key, its cells in damage order)])."""
    damages = [d["name"] for d in doc["damages"]]
    by = {(c["key"], c["damage"]): c for c in doc["cells"]}
    return damages, [(key, [by[(key, d)] for d in damages]) for key in doc["keys"]]


def legend(doc: dict) -> list[str]:
    """The sentences that explain the table."""
    t = doc["thresholds"]
    lines = [
        f"{doc['dataset']}: {doc['n']} samples per set drawn from the {doc['held_out']} held-out samples, "
        f"{doc['repeats']} draws per strength (seed {doc['seed']}), scored against {doc['protocol']['n_reference']} "
        f"reference samples ({doc['protocol']['reference_split']} split) through "
        f"{doc['protocol']['extractor'] if isinstance(doc['protocol']['extractor'], str) else doc['protocol']['extractor'].get('extractor')}.",
        "Each cell: verdict (effect at the strongest step, in floor standard deviations, + = the metric says worse; "
        "≥999: the floor and that step have no spread at all). "
        f"detects: worse by >= {t['detects_effect']:g} sds, p < {t['alpha']:g} (Welch, strongest step vs floor) and "
        f"monotonic; weak: worse by >= {t['seen_effect']:g} sds but not all of that; wrong direction: better by >= "
        f"{t['seen_effect']:g} sds with p < {t['alpha']:g}; blind: otherwise.",
        f"{NOT_MONOTONIC}: not monotonic across the sweep. {DISAGREES}: disagrees with the literature (listed below).",
    ]
    lines += [f"damage {d['name']}: {d['description']}; strengths {d['strengths']} ({d['unit']})." for d in doc["damages"]]
    lines += [f"skipped damage: {s}." for s in doc["skipped_damages"]]
    lines += [f"metric not probed: {s}" for s in doc["left_out_metrics"]]
    return lines


def disagreements(doc: dict) -> list[str]:
    """One sentence per cell whose verdict contradicts a stored claim."""
    out = []
    for cell in doc["cells"]:
        for claim in cell["expected"]:
            if cell["verdict"] not in claim["accepts"]:
                out.append(
                    f"{cell['key']} x {cell['damage']}: measured {cell['verdict']}, expected "
                    f"{' or '.join(claim['accepts'])} ({claim['claim']}; {claim['source']})"
                )
    return out


def probe_markdown(doc: dict) -> str:
    """The table in Markdown with the legend and the list of disagreements with the literature."""
    damages, rows = grid(doc)
    cap = doc["thresholds"]["effect_cap"]
    lines = ["| metric | " + " | ".join(damages) + " |", "|---|" + "---|" * len(damages)]
    lines += [f"| {key} | " + " | ".join(cell_text(c, cap) for c in cells) + " |" for key, cells in rows]
    lines += ["", *[f"- {line}" for line in legend(doc)]]
    checked = sum(1 for c in doc["cells"] if c["expected"])
    found = disagreements(doc)
    wrong = sum(1 for c in doc["cells"] if c["matches"] is False)
    lines += ["", f"Literature checks: {checked} cells have a stored claim; {wrong} of them disagree with it "
              f"({len(found)} claim{'s' if len(found) != 1 else ''} contradicted)."]
    lines += [f"- {DISAGREES} {line}" for line in found]
    return "\n".join(lines) + "\n"


CSV_FIELDS = ("key", "damage", "direction", "verdict", "effect", "strongest", "p", "monotonic", "floor_sd", "matches", "expected")


def probe_csv(doc: dict) -> str:
    """One line per cell with the numbers behind its verdict and the claims it was checked against."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for c in doc["cells"]:
        expected = "; ".join(f"{'/'.join(e['accepts'])}: {e['claim']} ({e['source']})" for e in c["expected"])
        writer.writerow([c["key"], c["damage"], c["direction"], c["verdict"], f"{c['effect']:.6g}", c["strongest"],
                         f"{c['p']:.3g}", c["monotonic"], f"{c['floor_sd']:.6g}", "" if c["matches"] is None else c["matches"],
                         expected])
    return out.getvalue()
