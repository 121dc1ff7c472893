"""Judging a generator on mnist5k in slow tests: mnist-classifier FID against the train split, confident
classes, and how well its class / code input recovers the class."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from ganbench.data.base import DATASETS, ArraySplit, DataConfig
from ganbench.data.sampling import generate, sample_codes
from ganbench.features.config import ExtractorConfig
from ganbench.features.mnist_classifier import build_mnist_classifier
from ganbench.metrics.codes import code_confusion, matched_accuracy
from ganbench.metrics.frechet import frechet_distance


class MnistJudge:
    """The mnist-classifier and the pool-feature statistics of the mnist5k train split."""

    def __init__(self) -> None:
        self.data = DATASETS.get("mnist5k").load("train", DataConfig())
        self.classifier = build_mnist_classifier(ExtractorConfig())
        real, _ = self.features(torch.as_tensor(self.data.data))
        self.real_mean, self.real_cov = real.mean(0), np.cov(real, rowvar=False)

    def features(self, images: torch.Tensor) -> tuple[np.ndarray, torch.Tensor]:
        out = self.classifier.extract(images, ("pool", "logits"))
        return out["pool"].double().numpy(), out["logits"].double()

    def padded(self, size: int) -> ArraySplit:
        """The train split with a background border up to `size` x `size` (torchvision's Pad(2) for 32x32), for
        the networks published for 32x32 images; `judge` crops their samples back to the centre 28 x 28."""
        pad = (size - self.data.data.shape[-1]) // 2
        images = np.pad(self.data.data, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        return dataclasses.replace(self.data, data=images)

    def judge(self, generator: torch.nn.Module, n: int = 1000) -> dict[str, float]:
        """fid, the share of samples classified with p > 0.9 (confident), the digits confidently generated in at
        least 1% of the samples, and code_accuracy (nan for a generator without labels). Samples larger than 28 x 28
        (from a padded training set) are cropped to their centre 28 x 28."""
        generator.eval()
        with torch.no_grad():
            images = ((generate(generator, n, seed=0).clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        crop = (images.shape[-1] - 28) // 2
        images = images[..., crop : crop + 28, crop : crop + 28]
        pool, logits = self.features(images)
        confidence, label = logits.softmax(1).max(1)
        confident = np.bincount(label[confidence > 0.9].numpy(), minlength=10)
        codes = sample_codes(generator, n)
        accuracy = (
            matched_accuracy(code_confusion(codes, label.numpy(), int(codes.max()) + 1, 10))[0]
            if codes is not None
            else float("nan")
        )
        return {
            "fid": frechet_distance(pool.mean(0), np.cov(pool, rowvar=False), self.real_mean, self.real_cov),
            "confident": float((confidence > 0.9).float().mean()),
            "digits": int((confident >= 0.01 * n).sum()),
            "code_accuracy": accuracy,
        }

    def before_and_after(self, family: str, config, data: ArraySplit, out_dir) -> tuple[dict[str, float], dict[str, float]]:
        """(untrained, trained) judgements of `family` with `config` on `data`: trained in `out_dir` (seed 0, CPU);
        the untrained generator is built under seed 0 after training."""
        from ganbench.data.base import DataShape
        from ganbench.models.base import build
        from ganbench.models.checkpoint_generator import load_generator
        from ganbench.train.config import RunConfig
        from ganbench.train.loop import train

        run = RunConfig(seed=0, device="cpu", progress=False, tensorboard=False, log_every=100, checkpoint_every=config.steps)
        assert train(family, config, run, data, out_dir).status == "ok"
        torch.manual_seed(0)
        untrained = self.judge(build(family, DataShape.of(data.data, data.labels), config)[0])
        trained = self.judge(load_generator(out_dir))
        print(f"\n{family}: untrained {untrained}\n{family}: trained {trained}")
        return untrained, trained
