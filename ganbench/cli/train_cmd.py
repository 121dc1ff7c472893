"""`ganbench train`: train a reference GAN on a dataset under a fixed seed, resumably.

The training modules (torch) are imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse

from ganbench.cli.options import data_config
from ganbench.config_parsing import parse_assignments

#: Named flags that are shortcuts for `--set key=value` (the flag's dest -> the config key).
NAMED_SETTINGS = {
    "steps": "steps",
    "batch_size": "batch_size",
    "lr": "lr",
    "width": "width",
    "z_dim": "z_dim",
    "n_critic": "n_critic",
    "ema": "ema",
}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a reference GAN family (see `ganbench list models`) under a fixed seed",
        description="Train a reference GAN. Re-running with the same --out resumes from its newest checkpoint.",
    )
    parser.add_argument("--model", required=True, help="GAN family (see `ganbench list models`)")
    parser.add_argument("--dataset", required=True, help="dataset name, or folder:PATH / npz:PATH")
    parser.add_argument("--out", required=True, metavar="DIR", help="run directory (resumed when it has checkpoints)")
    parser.add_argument(
        "--split", default=None, help="dataset split to train on (default: the dataset's, train for most; stl10: unlabeled)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for init, data order and noise (default 0)")

    add_model_arguments(parser)

    runtime = parser.add_argument_group("execution")
    runtime.add_argument("--device", default="auto", help="auto (default: cuda if present), cpu, cuda or cuda:N")
    runtime.add_argument("--amp", choices=("none", "bf16"), default="none", help="bf16 autocast on CUDA (default none)")
    runtime.add_argument("--deterministic", action="store_true", help="deterministic cuDNN/torch kernels (slower)")
    runtime.add_argument("--no-compile", action="store_true", help="do not torch.compile the networks on CUDA")
    runtime.add_argument("--checkpoint-every", type=int, default=1000, help="steps between checkpoints (default 1000)")
    runtime.add_argument("--keep-checkpoints", type=int, default=2, help="checkpoints kept (default 2)")
    runtime.add_argument("--log-every", type=int, default=50, help="steps between loss logs (default 50)")
    runtime.add_argument(
        "--sample-every", type=int, default=1000, help="steps between TensorBoard grids (default 1000)"
    )
    runtime.add_argument("--no-tensorboard", action="store_true", help="do not write TensorBoard events")
    runtime.add_argument("--quiet", action="store_true", help="no progress bar")

    data = parser.add_argument_group("datasets")
    data.add_argument("--data-dir", metavar="DIR", help="where downloaded datasets live")
    data.add_argument("--cache-dir", metavar="DIR", help="ganbench cache directory")
    data.add_argument(
        "--no-download", action="store_true", help="never download anything (datasets; Inception, DINOv2, CLIP and LPIPS weights)"
    )
    parser.set_defaults(func=run)


def add_model_arguments(parser: argparse.ArgumentParser, group=None) -> None:
    """The model-setting flags (--steps, --batch-size, --lr, ..., --set KEY=VALUE) read by `model_overrides`, in
    `group` (default: a group of their own)."""
    model = group or parser.add_argument_group("model settings (default: the family's paper settings)")
    model.add_argument("--steps", help="generator steps")
    model.add_argument("--batch-size", help="real samples per discriminator step")
    model.add_argument("--lr", help="learning rate of both networks")
    model.add_argument("--width", help="multiplier on every hidden width")
    model.add_argument("--z-dim", help="noise dimension")
    model.add_argument("--n-critic", help="discriminator steps per generator step")
    model.add_argument("--ema", help="generator weight-average decay, e.g. 0.999 (0 = off, the default)")
    model.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any model setting, e.g. --set gp_weight=5 (repeatable)",
    )


def model_overrides(args: argparse.Namespace) -> dict[str, str]:
    """Named flags first, then --set assignments (which win)."""
    overrides = {key: getattr(args, dest) for dest, key in NAMED_SETTINGS.items() if getattr(args, dest) is not None}
    overrides.update(parse_assignments(args.set))
    return overrides


def run(args: argparse.Namespace) -> int:
    from ganbench.config_parsing import apply_overrides
    from ganbench.models.base import MODELS
    from ganbench.paths import writable_folder
    from ganbench.train.config import RunConfig
    from ganbench.train.data import load_training_split
    from ganbench.train.loop import train

    family = MODELS.get(args.model)
    writable_folder(args.out, "--out")
    split, shape, info = load_training_split(args.dataset, data_config(args), args.split)
    config = apply_overrides(family.default_config(shape), model_overrides(args))
    run_config = RunConfig(
        seed=args.seed,
        device=args.device,
        amp=args.amp,
        deterministic=args.deterministic,
        compile=not args.no_compile,
        checkpoint_every=args.checkpoint_every,
        keep_checkpoints=args.keep_checkpoints,
        log_every=args.log_every,
        sample_every=args.sample_every,
        dataset=args.dataset,
        progress=not args.quiet,
        tensorboard=not args.no_tensorboard,
    )
    what = "x".join(map(str, shape.sample_shape)) + (f", {shape.num_classes} classes" if shape.num_classes else "")
    print(
        f"training {args.model} on {args.dataset} ({len(split)} samples of {what}) for {config.steps} steps into {args.out}"
    )
    result = train(args.model, config, run_config, split, args.out, shape=shape, modes=info.modes)
    if result.status == "diverged":
        print(f"diverged: {result.reason}; last good checkpoint: {result.checkpoint or 'none'}")
        return 1
    print(f"done: {result.step} steps; checkpoint {result.checkpoint}; samples {result.run_dir / 'samples.png'}")
    return 0
