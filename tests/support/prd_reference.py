"""Test oracle: the core of msmsajjadi/precision-recall-distributions prd_score.py (Apache-2.0, from
google/compare_gan), ported from the authors' code as read, step for step: the curve of two histograms, the
histograms from one MiniBatchKMeans of the union (np.histogram with density=True), the average over runs, and
max F_beta / F_1/beta. Not installable from PyPI. The one change: the reference builds
MiniBatchKMeans(n_clusters, n_init=10) with scikit-learn's defaults of its day and no seed; the port takes the
batch size and one random_state per run, so both sides cluster identically."""

from __future__ import annotations

import numpy as np
import sklearn.cluster


def compute_prd(eval_dist, ref_dist, num_angles=1001, epsilon=1e-10):
    angles = np.linspace(epsilon, np.pi / 2 - epsilon, num=num_angles)
    slopes = np.tan(angles)
    slopes_2d = np.expand_dims(slopes, 1)
    ref_dist_2d = np.expand_dims(ref_dist, 0)
    eval_dist_2d = np.expand_dims(eval_dist, 0)
    precision = np.minimum(ref_dist_2d * slopes_2d, eval_dist_2d).sum(axis=1)
    recall = precision / slopes
    return precision, recall


def cluster_into_bins(eval_data, ref_data, num_clusters, random_state, batch_size):
    cluster_data = np.vstack([eval_data, ref_data])
    kmeans = sklearn.cluster.MiniBatchKMeans(
        n_clusters=num_clusters, n_init=10, random_state=random_state, batch_size=batch_size
    )
    labels = kmeans.fit(cluster_data).labels_
    eval_labels = labels[: len(eval_data)]
    ref_labels = labels[len(eval_data) :]
    eval_bins = np.histogram(eval_labels, bins=num_clusters, range=[0, num_clusters], density=True)[0]
    ref_bins = np.histogram(ref_labels, bins=num_clusters, range=[0, num_clusters], density=True)[0]
    return eval_bins, ref_bins


def compute_prd_from_embedding(eval_data, ref_data, random_states, num_clusters=20, num_angles=1001, batch_size=100):
    if len(eval_data) != len(ref_data):
        raise ValueError("The number of points in eval_data is not equal to the number of points in ref_data")
    eval_data = np.array(eval_data, dtype=np.float64)
    ref_data = np.array(ref_data, dtype=np.float64)
    precisions, recalls = [], []
    for state in random_states:
        eval_dist, ref_dist = cluster_into_bins(eval_data, ref_data, num_clusters, int(state), batch_size)
        precision, recall = compute_prd(eval_dist, ref_dist, num_angles)
        precisions.append(precision)
        recalls.append(recall)
    return np.mean(precisions, axis=0), np.mean(recalls, axis=0)


def prd_to_f_beta(precision, recall, beta=1, epsilon=1e-10):
    return (1 + beta**2) * (precision * recall) / ((beta**2 * precision) + recall + epsilon)


def prd_to_max_f_beta_pair(precision, recall, beta=8):
    return np.max(prd_to_f_beta(precision, recall, beta)), np.max(prd_to_f_beta(precision, recall, 1 / beta))
