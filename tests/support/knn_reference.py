"""Test oracle: xuqiantong/GAN-Metrics `distance` and `knn` (the 1-NN two-sample test of Xu et al. 2018), ported
from the authors' torch code as read: pooled distance matrix with +inf on its diagonal, the k smallest per column
by topk, a majority vote, and the accuracies. Not on PyPI. Run in float64 here (the reference runs float32), so
near-ties break the same way on both sides."""

from __future__ import annotations

import torch


def distance(X, Y, sqrt):
    nX, nY = X.size(0), Y.size(0)
    X, Y = X.view(nX, -1), Y.view(nY, -1)
    X2 = (X * X).sum(1).reshape(nX, 1)
    Y2 = (Y * Y).sum(1).reshape(nY, 1)
    M = X2.expand(nX, nY) + Y2.expand(nY, nX).transpose(0, 1) - 2 * torch.mm(X, Y.transpose(0, 1))
    if sqrt:
        M = ((M + M.abs()) / 2).sqrt()
    return M


def knn(real, fake, k=1, sqrt=True):
    """acc, acc_real, acc_fake of the leave-one-out k-NN classifier on real (label 1) and fake (label 0) rows."""
    X, Y = torch.as_tensor(real, dtype=torch.float64), torch.as_tensor(fake, dtype=torch.float64)
    Mxx, Mxy, Myy = distance(X, X, sqrt), distance(X, Y, sqrt), distance(Y, Y, sqrt)
    n0, n1 = Mxx.size(0), Myy.size(0)
    label = torch.cat((torch.ones(n0, dtype=torch.float64), torch.zeros(n1, dtype=torch.float64)))
    M = torch.cat((torch.cat((Mxx, Mxy), 1), torch.cat((Mxy.transpose(0, 1), Myy), 1)), 0)
    if sqrt:
        M = M.abs().sqrt()
    val, idx = (M + torch.diag(float("inf") * torch.ones(n0 + n1, dtype=torch.float64))).topk(k, 0, False)
    count = torch.zeros(n0 + n1, dtype=torch.float64)
    for i in range(0, k):
        count = count + label.index_select(0, idx[i])
    pred = torch.ge(count, (float(k) / 2) * torch.ones(n0 + n1, dtype=torch.float64)).double()
    tp = (pred * label).sum()
    fn = ((1 - pred) * label).sum()
    tn = ((1 - pred) * (1 - label)).sum()
    fp = (pred * (1 - label)).sum()
    return float(torch.eq(label, pred).double().mean()), float(tp / (tp + fn)), float(tn / (tn + fp))
