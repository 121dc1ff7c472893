"""Print issue 31's comparison from its rows: ganbench's `wgan_gp` (a ganbench run's results.jsonl) beside the
transcription of gan_toy.py (gan_toy_port.py's JSON lines), modes covered and high-quality fraction per seed with
their mean and standard error, at every step both have.

    python benchmarks/wgangp-toy/summarise.py benchmarks/wgangp-toy/ganbench-500.jsonl benchmarks/wgangp-toy/port-500.jsonl
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict


def mean_se(values: list[float]) -> str:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return f"{mean:.3g}"
    se = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1) / len(values))
    return f"{mean:.3g} +- {se:.2g}"


def main(ganbench_rows: str, port_rows: str) -> None:
    table: dict[tuple[str, int], dict[int, dict[str, float]]] = defaultdict(dict)
    for line in open(ganbench_rows):
        row = json.loads(line)
        if row["status"] == "ok" and row["metric"] in ("modes_covered", "high_quality_fraction"):
            table[("ganbench wgan_gp", row["step"])].setdefault(row["seed"], {})[row["metric"]] = row["value"]
    for line in open(port_rows):
        row = json.loads(line)
        name = f"gan_toy.py transcription, {row['init']} init, {row['data']} data"
        table[(name, row["iterations"])][row["seed"]] = row
    print("| run | steps | seeds | modes (of 25) per seed | mean +- s.e. | high-quality % per seed | mean +- s.e. |")
    print("|---|---|---|---|---|---|---|")
    for (name, step), seeds in sorted(table.items(), key=lambda item: (item[0][1], item[0][0])):
        modes = [seeds[s]["modes_covered"] for s in sorted(seeds)]
        quality = [100 * seeds[s]["high_quality_fraction"] for s in sorted(seeds)]
        print(
            f"| {name} | {step} | {','.join(map(str, sorted(seeds)))} | {', '.join(f'{m:g}' for m in modes)} | "
            f"{mean_se(modes)} | {', '.join(f'{q:.1f}' for q in quality)} | {mean_se(quality)} |"
        )


if __name__ == "__main__":
    main(*sys.argv[1:3])
