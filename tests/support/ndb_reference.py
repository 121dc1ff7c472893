"""Test oracle: the core of eitanrich/gans-n-gmms utils/ndb.py (class NDB), ported from the authors' code as read:
bins from KMeans of the (optionally whitened) training samples with centres at their members' means, ordered by
size; each query sample to the nearest centre by per-bin L2 norms; the two-proportion z-test; JS from the KL
helper. Not on PyPI. Changes, so both sides run identically: the reference's KMeans(n_clusters, max_iter=100,
n_jobs=-1) took scikit-learn's old default of 10 restarts and no seed, and its dimension subset
(np.random.choice, used above 1000 dimensions) is unseeded; the port takes `random_state` and `used_d_indices`.
Printing, caching and plotting are left out."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm
from sklearn.cluster import KMeans


class NDB:
    def __init__(self, training_data, number_of_bins=100, significance_level=0.05, whitening=False,
                 random_state=0, used_d_indices=None):
        self.number_of_bins = number_of_bins
        self.significance_level = significance_level
        self.whitening = whitening
        self.ndb_eps = 1e-6
        self.training_mean = 0.0
        self.training_std = 1.0
        n, d = training_data.shape
        k = self.number_of_bins
        if self.whitening:
            self.training_mean = np.mean(training_data, axis=0)
            self.training_std = np.std(training_data, axis=0) + self.ndb_eps
        whitened_samples = (training_data - self.training_mean) / self.training_std
        self.used_d_indices = np.arange(d) if used_d_indices is None else used_d_indices
        clusters = KMeans(n_clusters=k, max_iter=100, n_init=10, random_state=random_state).fit(
            whitened_samples[:, self.used_d_indices]
        )
        bin_centers = np.zeros([k, d])
        for i in range(k):
            bin_centers[i, :] = np.mean(whitened_samples[clusters.labels_ == i, :], axis=0)
        label_vals, label_counts = np.unique(clusters.labels_, return_counts=True)
        bin_order = np.argsort(-label_counts)
        self.bin_proportions = label_counts[bin_order] / np.sum(label_counts)
        self.bin_centers = bin_centers[bin_order, :]
        self.ref_sample_size = n

    def evaluate(self, query_samples):
        n = query_samples.shape[0]
        query_bin_proportions, query_bin_assignments = self.calculate_bin_proportions(query_samples)
        different_bins = NDB.two_proportions_z_test(
            self.bin_proportions, self.ref_sample_size, query_bin_proportions, n, self.significance_level
        )
        return {
            "NDB": np.count_nonzero(different_bins),
            "JS": NDB.jensen_shannon_divergence(self.bin_proportions, query_bin_proportions),
            "Proportions": query_bin_proportions,
            "Different-Bins": different_bins,
        }

    def calculate_bin_proportions(self, samples):
        n, d = samples.shape
        k = self.bin_centers.shape[0]
        D = np.zeros([n, k], dtype=samples.dtype)
        whitened_samples = (samples - self.training_mean) / self.training_std
        for i in range(k):
            D[:, i] = np.linalg.norm(
                whitened_samples[:, self.used_d_indices] - self.bin_centers[i, self.used_d_indices], ord=2, axis=1
            )
        labels = np.argmin(D, axis=1)
        probs = np.zeros([k])
        label_vals, label_counts = np.unique(labels, return_counts=True)
        probs[label_vals] = label_counts / n
        return probs, labels

    @staticmethod
    def two_proportions_z_test(p1, n1, p2, n2, significance_level):
        p = (p1 * n1 + p2 * n2) / (n1 + n2)
        se = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se
        p_values = 2.0 * norm.cdf(-1.0 * np.abs(z))
        return p_values < significance_level

    @staticmethod
    def jensen_shannon_divergence(p, q):
        m = (p + q) * 0.5
        return 0.5 * (NDB.kl_divergence(p, m) + NDB.kl_divergence(q, m))

    @staticmethod
    def kl_divergence(p, q):
        assert not np.any(np.logical_and(p != 0, q == 0))
        p_pos = p > 0
        return np.sum(p[p_pos] * np.log(p[p_pos] / q[p_pos]))
