"""Test oracle: goodfeli/adversarial parzen_ll.py (Yann Dauphin's theano_parzen, log_mean_exp, get_nll and
cross_validate_sigma), ported from the authors' Theano code to numpy as read: the full (batch, centres, d)
difference tensor, the batches as interleaved slices x[i::n_batches], the argmax of the mean validation
log-likelihood, and std / sqrt(n) for the standard error. Theano and pylearn2 do not install today."""

from __future__ import annotations

import numpy as np


def log_mean_exp(a):
    max_ = a.max(1)
    return max_ + np.log(np.exp(a - max_[:, None]).mean(1))


def numpy_parzen(mu, sigma):
    def parzen(x):
        a = (x[:, None, :] - mu[None, :, :]) / sigma
        E = log_mean_exp(-0.5 * (a**2).sum(2))
        Z = mu.shape[1] * np.log(sigma * np.sqrt(np.pi * 2))
        return E - Z

    return parzen


def get_nll(x, parzen, batch_size=10):
    inds = range(x.shape[0])
    n_batches = int(np.ceil(float(len(inds)) / batch_size))
    nlls = []
    for i in range(n_batches):
        nlls.extend(parzen(x[inds[i::n_batches]]))
    return np.array(nlls)


def cross_validate_sigma(samples, data, sigmas, batch_size):
    lls = [np.asarray(get_nll(data, numpy_parzen(samples, sigma), batch_size=batch_size)).mean() for sigma in sigmas]
    return sigmas[np.argmax(lls)]


def parzen_ll(samples, valid, test, sigmas, batch_size=100):
    """(mean test LL, its s.e., sigma) as parzen_ll.py's main prints them."""
    sigma = cross_validate_sigma(samples, valid, sigmas, batch_size)
    ll = get_nll(test, numpy_parzen(samples, sigma), batch_size=batch_size)
    return ll.mean(), ll.std() / np.sqrt(test.shape[0]), sigma
