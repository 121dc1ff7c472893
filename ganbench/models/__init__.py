"""The reference GAN zoo: what a family declares and the MODELS registry (base), one file per family
(registered from catalog), shared network blocks, the alternating step, optimizers, weight averaging, and
loading a trained generator back from a checkpoint (loading)."""
