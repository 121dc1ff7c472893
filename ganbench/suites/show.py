"""A suite as readable text: its protocol, the settings it pins per model, its published rows and sources."""

from __future__ import annotations

from ganbench.suites.base import UNCHECKED_FOOTNOTE, Suite


def _value(mean: float, uncertainty: float | None, kind: str) -> str:
    return f"{mean:g}" + (f" +- {uncertainty:g} ({kind})" if uncertainty is not None else "")


def describe(suite: Suite) -> str:
    """What `ganbench suite show NAME` prints."""
    lines = [
        f"{suite.name}: {suite.title}",
        "",
        f"dataset        {suite.dataset}",
        f"trials         {suite.trials} per model (default seeds 0-{suite.trials - 1})",
        f"samples        {suite.n_generated:,} per evaluation" + (f", every {suite.eval_every:,} steps" if suite.eval_every else ""),
        f"metric         {', '.join(f'{m.key} ({m.column})' for m in suite.metrics)}",
        f"metric settings {', '.join(f'{k}={v}' for k, v in suite.metric_settings.items()) or '-'}",
        f"run it         ganbench run --suite {suite.name}   (any setting given on top makes it a reduced protocol)",
        "",
        "pinned settings per model:",
    ]
    for model in suite.models:
        settings = ", ".join(f"{k}={v}" for k, v in model.settings.items()) or "(the family's defaults)"
        lines.append(f"  {model.name:<11} {settings}")
    if suite.published:
        lines += ["", "published rows (paper units):"]
        for row in suite.published:
            star = "" if row.checked else " *"
            values = "; ".join(
                f"{key} {_value(mean, unc, row.uncertainty)}" for key, (mean, unc) in row.values.items()
            )
            lines.append(f"  {row.label:<26} -> {row.model or 'not implemented'}: {values}{star}")
            lines.append(f"  {'':<26}    {row.n_trials or '?'} trials; {row.source}" + (f"; {row.code}" if row.code else ""))
            if row.note:
                lines.append(f"  {'':<26}    {row.note}")
        if any(not row.checked for row in suite.published):
            lines += ["", f"* {UNCHECKED_FOOTNOTE}"]
    else:
        lines += ["", "published rows: none (the paper gives no table for this protocol)"]
    if suite.claims:
        lines += ["", "claims tested by `ganbench suite compare`:"]
        lines += [f"  - {claim.text} ({claim.metric}: {claim.better} vs {claim.worse})" for claim in suite.claims]
    lines += ["", "sources:"] + [f"  - {source}" for source in suite.sources]
    lines += ["", "notes:"] + [f"  - {note}" for note in suite.notes]
    return "\n".join(lines) + "\n"
