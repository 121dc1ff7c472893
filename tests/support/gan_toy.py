"""A line-by-line PyTorch transcription of gan_toy.py (igul222/improved_wgan_training 3c8ba3c2, MODE 'wgan-gp')
and of the tflib pieces it calls (tflib/ops/linear.py 4fde7f36, tf.train.AdamOptimizer), written independently
of ganbench so that tests can hold ganbench's `wgan_gp` step to it.

Parameters live in a dict under tflib's names ("Generator.1.Linear.W", shape (input_dim, output_dim), used as
`inputs @ W + b`); the three Discriminator calls share them as lib.param does. Randomness is passed in: each
critic iteration takes a real batch (already standardised, as inf_train_gen yields it), the generator noise
[BATCH_SIZE, 2] and the interpolation weights [BATCH_SIZE, 1]; each generator iteration its own noise (TF's
gen_train_op re-runs Generator's random_normal).
"""

from __future__ import annotations

import math

import numpy as np
import torch

DIM = 512
LAMBDA = 0.1
CRITIC_ITERS = 5
BATCH_SIZE = 256
# ReLULayer uses initialization='he'; the output layers use the default (None -> 'glorot').
GENERATOR_LAYERS = (("Generator.1.Linear", 2, DIM, "he"), ("Generator.2.Linear", DIM, DIM, "he"), ("Generator.3.Linear", DIM, DIM, "he"),
                    ("Generator.4", DIM, 2, "glorot"))
DISCRIMINATOR_LAYERS = (("Discriminator.1.Linear", 2, DIM, "he"), ("Discriminator.2.Linear", DIM, DIM, "he"),
                        ("Discriminator.3.Linear", DIM, DIM, "he"), ("Discriminator.4", DIM, 1, "glorot"))


def tflib_linear_values(input_dim: int, output_dim: int, initialization: str, rng: np.random.RandomState) -> np.ndarray:
    """lib.ops.linear.Linear's weight_values for 'he' and 'glorot' (float32 (input_dim, output_dim))."""
    stdev = {"he": np.sqrt(2.0 / input_dim), "glorot": np.sqrt(2.0 / (input_dim + output_dim))}[initialization]
    return rng.uniform(low=-stdev * np.sqrt(3), high=stdev * np.sqrt(3), size=(input_dim, output_dim)).astype("float32")


def tflib_params(rng: np.random.RandomState) -> dict[str, torch.Tensor]:
    """Every parameter as gan_toy.py's graph creates it (Generator first: fake_data is built before disc_real)."""
    params = {}
    for name, n_in, n_out, init in GENERATOR_LAYERS + DISCRIMINATOR_LAYERS:
        params[name + ".W"] = torch.from_numpy(tflib_linear_values(n_in, n_out, init, rng))
        params[name + ".b"] = torch.zeros(n_out)
    return params


class TfAdam:
    """tf.train.AdamOptimizer(learning_rate, beta1, beta2), epsilon 1e-8: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),
    var -= lr_t m / (sqrt(v) + epsilon) (TF's epsilon is outside the bias correction, unlike torch.optim.Adam)."""

    def __init__(self, variables: list[torch.Tensor], learning_rate: float, beta1: float, beta2: float) -> None:
        self.variables, self.lr, self.b1, self.b2, self.eps = variables, learning_rate, beta1, beta2, 1e-8
        self.m = [torch.zeros_like(v) for v in variables]
        self.v = [torch.zeros_like(v) for v in variables]
        self.t = 0

    @torch.no_grad()
    def minimize(self, cost: torch.Tensor) -> None:
        grads = torch.autograd.grad(cost, self.variables)
        self.t += 1
        lr_t = self.lr * math.sqrt(1 - self.b2**self.t) / (1 - self.b1**self.t)
        for var, g, m, v in zip(self.variables, grads, self.m, self.v, strict=True):
            m.mul_(self.b1).add_(g, alpha=1 - self.b1)
            v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
            var.sub_(lr_t * m / (v.sqrt() + self.eps))


class GanToy:
    """gan_toy.py's graph and its two train ops."""

    def __init__(self, params: dict[str, torch.Tensor]) -> None:
        self.params = {name: value.clone().requires_grad_(True) for name, value in params.items()}
        disc_params = [v for k, v in self.params.items() if k.startswith("Discriminator")]
        gen_params = [v for k, v in self.params.items() if k.startswith("Generator")]
        self.disc_train_op = TfAdam(disc_params, 1e-4, 0.5, 0.9)
        self.gen_train_op = TfAdam(gen_params, 1e-4, 0.5, 0.9)

    def linear(self, name: str, inputs: torch.Tensor) -> torch.Tensor:
        return inputs @ self.params[name + ".W"] + self.params[name + ".b"]

    def generator(self, noise: torch.Tensor) -> torch.Tensor:
        output = torch.relu(self.linear("Generator.1.Linear", noise))
        output = torch.relu(self.linear("Generator.2.Linear", output))
        output = torch.relu(self.linear("Generator.3.Linear", output))
        return self.linear("Generator.4", output)

    def discriminator(self, inputs: torch.Tensor) -> torch.Tensor:
        output = torch.relu(self.linear("Discriminator.1.Linear", inputs))
        output = torch.relu(self.linear("Discriminator.2.Linear", output))
        output = torch.relu(self.linear("Discriminator.3.Linear", output))
        return self.linear("Discriminator.4", output).reshape(-1)

    def disc_cost(self, real_data: torch.Tensor, noise: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        fake_data = self.generator(noise).detach()  # var_list=disc_params: no gradient reaches the generator
        disc_cost = self.discriminator(fake_data).mean() - self.discriminator(real_data).mean()
        interpolates = (alpha * real_data + ((1 - alpha) * fake_data)).requires_grad_(True)
        disc_interpolates = self.discriminator(interpolates)
        (gradients,) = torch.autograd.grad(disc_interpolates.sum(), interpolates, create_graph=True)
        slopes = torch.sqrt(torch.sum(gradients**2, dim=1))
        gradient_penalty = torch.mean((slopes - 1) ** 2)
        return disc_cost + LAMBDA * gradient_penalty

    def critic_iteration(self, real_data: torch.Tensor, noise: torch.Tensor, alpha: torch.Tensor) -> float:
        """session.run([disc_cost, disc_train_op], feed_dict={real_data: _data}); returns _disc_cost."""
        cost = self.disc_cost(real_data, noise, alpha)
        self.disc_train_op.minimize(cost)
        return float(cost.detach())

    def generator_iteration(self, noise: torch.Tensor) -> None:
        """session.run(gen_train_op)."""
        gen_cost = -self.discriminator(self.generator(noise)).mean()
        self.gen_train_op.minimize(gen_cost)


def gaussians25_dataset(rng: np.random.RandomState) -> np.ndarray:
    """inf_train_gen's 25gaussians set: 100,000 points, shuffled once, divided by 2.828; it yields them in
    batches of BATCH_SIZE in this same order every pass (the last 160 points never)."""
    dataset = []
    for _ in range(100000 // 25):
        for x in range(-2, 3):
            for y in range(-2, 3):
                point = rng.randn(2) * 0.05
                point[0] += 2 * x
                point[1] += 2 * y
                dataset.append(point)
    dataset = np.array(dataset, dtype="float32")
    rng.shuffle(dataset)
    dataset /= 2.828
    return dataset
