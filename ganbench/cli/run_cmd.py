"""`ganbench run`: train a grid of models x seeds on a dataset, evaluate under its protocol, rank and plot.

The runner (torch, training, scoring) is imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ganbench.cli.options import (
    add_metric_options,
    add_weights_options,
    int_at_least,
    non_negative_float,
    positive_int,
    score_config_from,
)
from ganbench.cli.train_cmd import add_model_arguments, model_overrides
from ganbench.metrics.spec import METRICS


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="benchmark: train models x seeds on a dataset, evaluate, write results, leaderboard and figures",
        usage="ganbench run (--models M --dataset D | --suite NAME) [--seeds S] [--out DIR] [options]",
        description="Train every (model, seed) cell, evaluate it every --eval-every steps and at the end under the "
        "dataset's protocol, append one row per metric to OUT/results.jsonl, then write OUT/leaderboard.csv/.md "
        "and OUT/figures/. Running the same command again skips finished cells and resumes the others from "
        "their last checkpoint.",
    )
    model = parser.add_argument_group("model (settings default to each family's paper settings)")
    model.add_argument(
        "--models", help="comma-separated models (see `ganbench list models`); with --suite, a subset of its models"
    )
    model.add_argument(
        "--suite",
        help="run a benchmark suite (see `ganbench suite list`): its dataset, models and pinned settings; any "
        "setting given on top is recorded and the results are labelled a reduced protocol",
    )
    model.add_argument(
        "--seeds", help="training seeds, e.g. 0,1,2 or 0-4 (default 0; with --suite, 0 .. its trials - 1)"
    )
    add_model_arguments(parser, model)

    evaluation = parser.add_argument_group("data and evaluation")
    evaluation.add_argument(
        "--dataset", help="dataset name (see `ganbench list datasets`), folder:PATH or npz:PATH (not with --suite)"
    )
    evaluation.add_argument(
        "--out", metavar="DIR", help="run directory (default runs/DATASET or runs/SUITE); resumed when it exists"
    )
    evaluation.add_argument(
        "--eval-every",
        type=positive_int,
        help="steps between evaluations (default: 5 evaluations per cell, or the suite's)",
    )
    evaluation.add_argument(
        "--metrics", help="comma-separated metric names (default: the dataset protocol's, see `ganbench list metrics`)"
    )
    evaluation.add_argument(
        "--n-generated", type=positive_int, help="generated samples per evaluation (default: the protocol's)"
    )
    evaluation.add_argument("--n-reference", type=positive_int, help="reference samples (default: the protocol's)")
    evaluation.add_argument("--extractor", help="feature extractor (default: the dataset's)")
    add_weights_options(evaluation)
    evaluation.add_argument("--data-dir", metavar="DIR", help="where downloaded datasets live")
    evaluation.add_argument(
        "--no-download", action="store_true", help="never download anything (datasets; Inception, DINOv2, CLIP and LPIPS weights)"
    )
    add_metric_options(parser)

    runtime = parser.add_argument_group("execution")
    runtime.add_argument(
        "--device", default="auto", help="auto (default: every visible GPU, else cpu), cpu, cuda or cuda:N"
    )
    runtime.add_argument(
        "--jobs",
        type=positive_int,
        help="cells run at once (default: 1 on CPU, --jobs-per-gpu per GPU; with --executor ray: as many as the "
        "cluster's resources allow)",
    )
    runtime.add_argument("--jobs-per-gpu", type=positive_int, default=1, help="cells sharing each GPU (default 1)")
    runtime.add_argument(
        "--threads",
        type=positive_int,
        help="CPU threads per cell (default: one for small networks, else the usable cores shared among the jobs, "
        "whatever the load, since threads change the numbers; under Ray: --ray-cpus-per-cell; recorded in grid.json "
        "and each row's protocol)",
    )
    runtime.add_argument(
        "--group-cells",
        type=positive_int,
        default=1,
        metavar="N",
        help="train up to N cells of one model (different seeds) in one process, in one loop: on CUDA one batched "
        "step for models with a simultaneous update (gan and pacgan2-4 on points, ali, veegan*; rows then equal "
        "alone up to rounding), else each cell's own step in turn (rows and checkpoints bit-identical to alone); "
        "default 1: no grouping",
    )
    runtime.add_argument(
        "--checkpoint-every",
        type=positive_int,
        default=1000,
        help="steps between checkpoints (default 1000; one is always written at each evaluation)",
    )
    runtime.add_argument(
        "--amp", choices=("none", "bf16"), default="none", help="bf16 autocast for training on CUDA (default none)"
    )
    runtime.add_argument("--no-compile", action="store_true", help="do not torch.compile the networks on CUDA")
    runtime.add_argument("--no-plots", action="store_true", help="do not make the figures at the end")
    runtime.add_argument(
        "--yes",
        action="store_true",
        help="run a grid of more than 1,000 cells or more than 1,000,000 --n-generated (refused without it: a typo guard)",
    )
    runtime.add_argument(
        "--executor",
        default="local",
        help="local (default: this process, or --jobs processes on this machine) or ray (one Ray task per cell, on "
        "a local Ray instance or the cluster of --ray-address)",
    )
    add_ray_arguments(parser)
    parser.set_defaults(func=run)


def add_ray_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the Ray executor (each --ray-X sets the RayExecutor field X)."""
    group = parser.add_argument_group("Ray (with --executor ray)")
    group.add_argument(
        "--ray-address", metavar="ADDRESS", help="Ray cluster to use (default: $RAY_ADDRESS, else a local instance)"
    )
    group.add_argument(
        "--ray-max-retries",
        type=int_at_least(0),
        metavar="N",
        help="times Ray reruns a cell whose worker or node died; it resumes from its last checkpoint (default 3)",
    )
    group.add_argument("--ray-cpus-per-cell", type=non_negative_float, metavar="N", help="CPUs per cell (default 1; also its torch threads unless --threads)")
    group.add_argument(
        "--ray-memory-per-cell", type=non_negative_float, metavar="GIB", help="memory reserved per cell (default none)"
    )
    group.add_argument(
        "--ray-resources",
        metavar="NAME=N,...",
        help="custom Ray resources each cell asks for, e.g. big_gpu=1 to run cells only on nodes started with "
        "--resources '{\"big_gpu\": 4}'",
    )


def executor_from(args: argparse.Namespace) -> dict:
    """--executor and the settings of the --ray-* options that were given, checked: {"executor": name,
    "executor_settings": settings} of a GridConfig."""
    from ganbench.runner.executors import executor_named
    from ganbench.runner.ray_executor import parse_resources

    ray = {key[4:]: value for key, value in vars(args).items() if key.startswith("ray_") and value is not None}
    if "resources" in ray:
        ray["resources"] = parse_resources(ray["resources"])
    executor_named(args.executor, {"ray": ray})  # an unknown executor, or --ray-* options without --executor ray
    return {"executor": args.executor, "executor_settings": ray if args.executor == "ray" else {}}


def grid_config(args: argparse.Namespace):
    """The GridConfig the parsed arguments describe (names are checked later, by plan_grid)."""
    from ganbench.errors import GanbenchError
    from ganbench.runner.plan import GridConfig, parse_names, parse_seeds

    scoring = score_config_from(
        args,
        "auto",  # each cell's worker sets its own device
        metrics=tuple(METRICS.parse_list(args.metrics)) if args.metrics else (),
        n_reference=args.n_reference,
    )
    execution = dict(
        overrides=model_overrides(args),
        device=args.device,
        jobs=args.jobs,
        jobs_per_gpu=args.jobs_per_gpu,
        threads=args.threads,
        group_cells=args.group_cells,
        checkpoint_every=args.checkpoint_every,
        amp=args.amp,
        compile=not args.no_compile,
        yes=args.yes,
        **executor_from(args),
    )
    if args.suite:
        from ganbench.runner.suite_runs import suite_grid
        from ganbench.suites.base import SUITES

        if args.dataset:
            raise GanbenchError("--suite sets the dataset; drop --dataset (or run without --suite)")
        return suite_grid(
            SUITES.get(args.suite),
            models=parse_names(args.models, "models") if args.models else None,
            seeds=parse_seeds(args.seeds) if args.seeds is not None else None,
            out=Path(args.out) if args.out else None,
            eval_every=args.eval_every,
            n_generated=args.n_generated,
            scoring=scoring,
            **execution,
        )
    if not args.models or not args.dataset:
        raise GanbenchError("give --models and --dataset, or --suite NAME (see `ganbench suite list`)")
    return GridConfig(
        models=parse_names(args.models, "models"),
        dataset=args.dataset,
        out=Path(args.out or Path("runs") / args.dataset.replace(":", "_").replace("/", "_")),
        seeds=parse_seeds("0" if args.seeds is None else args.seeds),  # --seeds '' is an error, not seed 0
        eval_every=args.eval_every,
        n_generated=args.n_generated,
        scoring=scoring,
        **execution,
    )


def run(args: argparse.Namespace) -> int:
    from ganbench.runner.grid import run_grid
    from ganbench.runner.report import report

    config = grid_config(args)
    start = time.perf_counter()
    plan, outcomes = run_grid(config)
    if config.suite is not None:
        from ganbench.runner.suite_runs import suite_status

        print(suite_status(config.suite, [job.record for job in plan.jobs]))
    result = report(config.out, plan.metrics, figures=not args.no_plots)
    print()
    if result.text:
        print(result.text, end="")
    else:
        print("no successful evaluations yet: nothing to rank")
    failed = [o for o in outcomes if o.status == "failed"]
    diverged = [o for o in outcomes if o.status == "diverged"]
    print(
        f"\n{len(outcomes)} cell(s) run, {len(plan.finished)} already finished, {len(diverged)} diverged, "
        f"{len(failed)} failed; {time.perf_counter() - start:.0f} s"
    )
    for outcome in failed:
        print(f"  failed: {outcome.model} seed {outcome.seed} at step {outcome.step}: {outcome.reason}")
    print(f"results:     {config.out / 'results.jsonl'}")
    for path in result.files:
        print(f"leaderboard: {path}")
    if result.figures:
        shown = sorted({p.with_suffix("").name for p in result.figures})
        print(f"figures:     {config.out / 'figures'}/ ({', '.join(shown)}; .png and .svg)")
    return 1 if failed else 0
