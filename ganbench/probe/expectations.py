"""What the literature says each metric should do under each damage, with its source, so the probe's output can
mark where the measurement disagrees. Only claims the papers make are stored (no verdict is guessed to fill the
table); `accepts` lists the probe verdicts that match the claim."""

from __future__ import annotations

from dataclasses import dataclass

K2019 = "Kynkäänniemi et al. 2019, Improved Precision and Recall Metric for Assessing Generative Models"
K2019_TRUNC = f"{K2019} (StyleGAN truncation sweep: precision rises, recall falls)"
S2018 = "Sajjadi et al. 2018, Assessing Generative Models via Precision and Recall (classes dropped from / added to CIFAR-10)"
N2020 = "Naeem et al. 2020, Reliable Fidelity and Diversity Metrics for Generative Models (outlier and mode-dropping experiments)"
A2022 = "Alaa et al. 2022, How Faithful is your Synthetic Data? (authenticity; copies of training data)"
H2017 = "Heusel et al. 2017, GANs Trained by a Two Time-Scale Update Rule (FID under noise and blur)"
C2023 = "Carlini et al. 2023, Extracting Training Data from Diffusion Models (nearest-neighbour ratio test)"

NOT_DETECTED = ("blind", "wrong direction")


@dataclass(frozen=True)
class Expectation:
    """The literature's claim about one metric key under one damage."""

    key: str
    damage: str
    accepts: tuple[str, ...]
    claim: str
    source: str


EXPECTATIONS = (
    Expectation("precision", "drop_sequential", ("blind",), "dropped classes leave precision unchanged", S2018),
    Expectation("recall", "drop_sequential", ("detects",), "dropped classes lower recall", S2018),
    Expectation("fid", "drop_sequential", ("detects",), "FID mixes fidelity and diversity: dropped classes raise it", S2018),
    Expectation("precision", "invent_modes", ("detects",), "samples from outside the data lower precision", S2018),
    Expectation("recall", "invent_modes", ("blind", "weak"), "samples from outside the data leave recall", S2018),
    Expectation("fid", "invent_modes", ("detects",), "FID mixes fidelity and diversity: invented samples raise it", S2018),
    Expectation("recall", "thin_simultaneous", ("blind", "weak"), "recall barely reacts to simultaneous dropping", N2020),
    Expectation("coverage", "thin_simultaneous", ("detects",), "coverage falls gradually with simultaneous dropping", N2020),
    Expectation("coverage", "drop_sequential", ("detects",), "coverage falls as modes are dropped", N2020),
    Expectation("recall", "outliers", NOT_DETECTED, "generated outliers inflate the generated manifold: recall over-estimates", N2020),
    Expectation("precision", "truncation", ("wrong direction",), "truncation raises precision", K2019_TRUNC),
    Expectation("recall", "truncation", ("detects",), "truncation lowers recall", K2019_TRUNC),
    Expectation("precision", "memorize", NOT_DETECTED, "copies of training data look perfect to fidelity metrics", A2022),
    Expectation("recall", "memorize", NOT_DETECTED, "copies of training data look perfect to diversity metrics", A2022),
    Expectation("fid", "memorize", NOT_DETECTED, "copies of training data look perfect to distribution metrics", A2022),
    Expectation("authpct", "memorize", ("detects",), "authenticity flags samples copied from the training data", A2022),
    Expectation("memorized_fraction", "memorize", ("detects",), "exact copies pass the ratio test", C2023),
    Expectation("fid", "blur", ("detects",), "FID rises with blur", H2017),
    Expectation("fid", "noise", ("detects",), "FID rises with noise", H2017),
    Expectation("precision", "drop_sequential", ("blind",), "precision measures fidelity only, not how many modes", K2019),
)


def expectations_for(key: str, damage: str) -> list[Expectation]:
    """The stored claims about `key` under `damage` (possibly several sources)."""
    return [e for e in EXPECTATIONS if e.key == key and e.damage == damage]
