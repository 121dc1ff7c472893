"""The built-in GAN families (and the VAE baselines); importing this module registers each.

Every module of this package is imported, and the family files register themselves (ganbench.models.base.register)
while the shared ones (blocks, losses, the step, ...) register nothing. So adding a family is adding its file, and
a family file that is missing takes only its own names with it: no family file imports another.
"""

import importlib
import pkgutil

import ganbench.models

for _module in pkgutil.iter_modules(ganbench.models.__path__):
    if _module.name != "catalog":
        importlib.import_module(f"ganbench.models.{_module.name}")
