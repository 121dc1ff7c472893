"""The built-in metric presets, one decorated file each; importing this package registers them in METRICS.

Adding a preset: write `presets/NAME.py` with one `@register_metric(...)` function and add its import here.
"""

from ganbench.metrics.presets import (  # noqa: F401  (registration)
    authpct,
    birthday,
    c2st,
    cas,
    class_coverage,
    cmmd,
    code_recovery,
    ct,
    density_coverage,
    fd_dinov2,
    fd_inf,
    fid,
    gan_test,
    inception_score,
    intra_fid,
    kid,
    memorization,
    modes,
    ndb,
    parzen,
    ppl,
    prd,
    precision_recall,
    sfid,
    vendi,
)
