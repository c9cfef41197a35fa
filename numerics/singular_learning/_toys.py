r"""Two toy models people study with singular learning theory: superposition and modular addition.

* :class:`ToyModelOfSuperposition` -- :math:`n` sparse features through :math:`m < n` hidden
  dimensions and back, :math:`f(x) = \mathrm{ReLU}(W^\top W x + b)` (Elhage et al., *Toy Models of
  Superposition*, Transformer Circuits Thread 2022), with :func:`tms_data` (each feature
  :math:`U[0, 1]` with probability :math:`1 - S`, else 0; targets = inputs) and :func:`tms_kgon`
  (the first :math:`k` columns of :math:`W` on a regular :math:`k`-gon: the critical points of
  Chen, Lau, Mendel, Wei & Murfet, arXiv:2310.06301, for :math:`m = 2`);
* :func:`modular_addition_mlp` / :func:`modular_addition_data` -- the grokking setting
  :math:`(a + b) \bmod p` (Power et al., arXiv:2201.02177; Nanda et al., arXiv:2301.05217) as a one-hidden-layer
  ReLU MLP on the concatenated one-hot codes of :math:`a` and :math:`b`, trained with
  :func:`train_classifier` (full-batch AdamW) in seconds on a CPU.

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from numerics import validate as v
from numerics.singular_learning._torch import float_dtype

__all__ = ["ToyModelOfSuperposition", "tms_data", "tms_kgon", "modular_addition_mlp", "modular_addition_data",
           "train_classifier"]


class ToyModelOfSuperposition(torch.nn.Module):
    r"""The ReLU-output toy model :math:`f(x) = \mathrm{ReLU}(W^\top W x + b)`, :math:`W \in \mathbb R^{m\times n}`.

    Parameters
    ----------
    n_features, n_hidden
        :math:`n \ge 1` features and :math:`m \ge 1` hidden dimensions.
    seed
        Seed of the initial weights (Gaussian, standard deviation 0.1; biases 0).
    dtype
        Floating type.

    References
    ----------
    Elhage et al., Toy Models of Superposition (2022); Chen et al., arXiv:2310.06301, sec. 2.
    """

    def __init__(self, n_features: int, n_hidden: int, *, seed: int = 0, dtype: Any = torch.float64) -> None:
        super().__init__()
        n = v.integer(n_features, "n_features", minimum=1)
        m = v.integer(n_hidden, "n_hidden", minimum=1)
        g = torch.Generator().manual_seed(v.seed(seed))
        dt = float_dtype(dtype, "dtype")
        self.W = torch.nn.Parameter(0.1 * torch.randn(m, n, generator=g, dtype=dt))
        self.b = torch.nn.Parameter(torch.zeros(n, dtype=dt))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """:math:`\\mathrm{ReLU}(x W^\\top W + b)` for rows ``x`` ``(rows, n)``.

        Parameters
        ----------
        x : torch.Tensor
            Inputs, shape ``(rows, n_features)``, in the model's dtype.

        Returns
        -------
        torch.Tensor
            The reconstructions, shape ``(rows, n_features)``, each entry >= 0.
        """
        return torch.relu(x @ (self.W.T @ self.W) + self.b)

    def _stacked(self, w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(W (C, m, n), x (C, B, n), z (C, B, n))`` for ``C`` flat parameter vectors ``w`` ``(C, m n + n)``."""
        m, n = self.W.shape
        C = w.shape[0]
        W = w[:, : m * n].reshape(C, m, n)
        x3 = x if x.dim() == 3 else x.expand(C, *x.shape)
        return W, x3, torch.baddbmm(w[:, m * n:].unsqueeze(1), x3, torch.bmm(W.transpose(1, 2), W))

    def forward_stacked(self, w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Batched forward for ``C`` parameter vectors at once.

        Parameters
        ----------
        w : torch.Tensor
            ``(C, m n + n)``: ``W`` (row-major) then ``b``, in ``named_parameters`` order.
        x : torch.Tensor
            ``(C, B, n)``, or ``(B, n)`` shared by the chains.

        Returns
        -------
        torch.Tensor
            ``(C, B, n)``, :math:`\\mathrm{ReLU}(x W_c^\\top W_c + b_c)` per chain.
        """
        return torch.relu(self._stacked(w, x)[2])

    def forward_stacked_vjp(self, w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, Any]:
        r""":meth:`forward_stacked` and its pullback by hand (no autograd): the sampler's fast route.

        With :math:`z = xM + b`, :math:`M = W^\top W` and :math:`g_z = g\odot[z > 0]`:
        :math:`\partial L/\partial b = \sum_{\text{rows}} g_z`, :math:`G = x^\top g_z`,
        :math:`\partial L/\partial W = W(G + G^\top)` (the reverse-mode chain rule; Griewank & Walther,
        *Evaluating Derivatives*, 2008, ch. 3).

        Parameters
        ----------
        w, x : torch.Tensor
            As in :meth:`forward_stacked`.

        Returns
        -------
        (pred, pullback)
            ``pred`` ``(C, B, n)``; ``pullback(g)`` maps :math:`g = \partial L/\partial\,\mathrm{pred}` to
            :math:`\partial L/\partial w` ``(C, m n + n)``.
        """
        W, x3, z = self._stacked(w, x)
        C = w.shape[0]

        def pullback(g: torch.Tensor) -> torch.Tensor:
            gz = g * (z > 0)
            G = torch.bmm(x3.transpose(1, 2), gz)
            return torch.cat([torch.bmm(W, G + G.transpose(1, 2)).reshape(C, -1), gz.sum(1)], 1)

        return torch.relu(z), pullback


def tms_data(n_features: int, rows: int, *, sparsity: float, seed: int, dtype: Any = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Sparse inputs: feature :math:`i` is :math:`U[0,1]` with probability :math:`1 - S`, else 0; targets = inputs.

    Parameters
    ----------
    n_features : int
        Number of features :math:`n` (>= 1), the columns.
    rows : int
        Number of samples (>= 1).
    sparsity : float
        :math:`S \in [0, 1)`: the probability that a feature is 0 in a row, independently per entry.
    seed : int
        Seed of the draws (a non-negative integer below ``2**63``).
    dtype : torch.dtype, default torch.float64
        Floating type of the tensor.

    Returns
    -------
    (X, X)
        Two references to one ``(rows, n_features)`` tensor (the autoencoding target).
    """
    n = v.integer(n_features, "n_features", minimum=1)
    r = v.integer(rows, "rows", minimum=1)
    S = v.real(sparsity, "sparsity", minimum=0.0, maximum=1.0, open_max=True)
    g = torch.Generator().manual_seed(v.seed(seed))
    dt = float_dtype(dtype, "dtype")
    X = torch.rand(r, n, generator=g, dtype=dt) * (torch.rand(r, n, generator=g, dtype=dt) >= S)
    return X, X


def tms_kgon(k: int, n_features: int, *, radius: float = 1.0, bias: float = 0.0, dtype: Any = torch.float64) -> ToyModelOfSuperposition:
    r"""A two-hidden-dimension model whose first ``k`` columns form a regular ``k``-gon, the rest zero.

    :math:`W_{:,j} = r(\cos 2\pi j/k, \sin 2\pi j/k)` for :math:`j < k`, :math:`W_{:,j} = 0` otherwise,
    :math:`b_j` = ``bias`` for every feature (Chen et al., arXiv:2310.06301, sec. 4: with the radius
    and biases at their optimal values these are critical points of the loss).  Train it
    (:func:`~numerics.singular_learning.train_to_minimum`) to reach the nearby critical point.

    Parameters
    ----------
    k : int
        Number of vertices, :math:`1 \le k \le` ``n_features``.
    n_features : int
        Number of features :math:`n` (>= 1), the columns of :math:`W`.
    radius : float, default 1.0
        Distance :math:`r \ge 0` of each vertex from the origin.
    bias : float, default 0.0
        The value of every bias :math:`b_j`.
    dtype : torch.dtype, default torch.float64
        Floating type of the parameters.

    Returns
    -------
    ToyModelOfSuperposition
        A new model with ``n_hidden = 2`` and the parameters above.

    Raises
    ------
    ValueError
        ``k`` not in ``1 .. n_features``.
    """
    n = v.integer(n_features, "n_features", minimum=1)
    k = v.integer(k, "k", minimum=1, maximum=n)
    r = v.real(radius, "radius", minimum=0.0)
    b0 = v.real(bias, "bias")
    model = ToyModelOfSuperposition(n, 2, dtype=dtype)
    with torch.no_grad():
        model.W.zero_()
        for j in range(k):
            model.W[0, j] = r * math.cos(2 * math.pi * j / k)
            model.W[1, j] = r * math.sin(2 * math.pi * j / k)
        model.b.fill_(b0)
    return model


def modular_addition_mlp(p: int, width: int, *, seed: int = 0, dtype: Any = torch.float32) -> torch.nn.Sequential:
    r"""``Sequential(Linear(2p, width), ReLU(), Linear(width, p))``: logits of :math:`(a + b) \bmod p` from one-hot ``[e_a, e_b]``.

    Parameters
    ----------
    p : int
        The modulus (>= 2): ``2p`` inputs and ``p`` output logits.
    width : int
        Number of hidden ReLU units (>= 1).
    seed : int, default 0
        Seed of torch's default initialisation (it seeds torch's global generator).
    dtype : torch.dtype, default torch.float32
        Floating type of the parameters.

    Returns
    -------
    torch.nn.Sequential
        The untrained network (torch's default ``Linear`` initialisation).
    """
    p = v.integer(p, "p", minimum=2)
    width = v.integer(width, "width", minimum=1)
    dt = float_dtype(dtype, "dtype")
    torch.manual_seed(v.seed(seed))
    return torch.nn.Sequential(torch.nn.Linear(2 * p, width), torch.nn.ReLU(), torch.nn.Linear(width, p)).to(dt)


def modular_addition_data(p: int, *, train_fraction: float = 0.5, seed: int = 0, dtype: Any = torch.float32) -> tuple[
        tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    r"""All :math:`p^2` pairs :math:`(a, b)`, split at random into train and held-out sets.

    Parameters
    ----------
    p : int
        The modulus (>= 2).
    train_fraction : float, default 0.5
        Fraction of the :math:`p^2` pairs in the training set, in ``(0, 1)``; rounded, and both sets keep
        at least one pair.
    seed : int, default 0
        Seed of the random split.
    dtype : torch.dtype, default torch.float32
        Floating type of the one-hot inputs.

    Returns
    -------
    ((X_train, y_train), (X_test, y_test))
        ``X`` rows are ``[e_a, e_b]`` (``2p`` columns), ``y`` the class :math:`(a + b) \bmod p` (``long``).
    """
    p = v.integer(p, "p", minimum=2)
    f = v.real(train_fraction, "train_fraction", minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    dt = float_dtype(dtype, "dtype")
    a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
    a, b = a.reshape(-1), b.reshape(-1)
    X = torch.cat([torch.nn.functional.one_hot(a, p), torch.nn.functional.one_hot(b, p)], 1).to(dt)
    y = (a + b) % p
    perm = torch.randperm(p * p, generator=torch.Generator().manual_seed(v.seed(seed)))
    m = max(1, min(p * p - 1, round(f * p * p)))
    tr, te = perm[:m], perm[m:]
    return (X[tr], y[tr]), (X[te], y[te])


def train_classifier(model: torch.nn.Module, data: tuple[torch.Tensor, torch.Tensor], *, steps: int = 2000, lr: float = 3e-3,
                     weight_decay: float = 1e-3, seed: int = 0) -> tuple[torch.nn.Module, float]:
    r"""Full-batch AdamW (Loshchilov & Hutter, ICLR 2019) on the mean cross-entropy; trains ``model`` in place.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier mapping ``X`` to logits ``(rows, classes)``, e.g. :func:`modular_addition_mlp`.
    data : tuple of torch.Tensor
        ``(X, y)``: inputs and integer class labels (``long``, shape ``(rows,)``).
    steps : int, default 2000
        Number of AdamW steps (>= 1).
    lr : float, default 3e-3
        Learning rate (> 0).
    weight_decay : float, default 1e-3
        AdamW's decoupled weight decay (>= 0).
    seed : int, default 0
        Seed of torch's global generator, set before training.

    Returns
    -------
    (model, loss)
        The model and its final training loss.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {v.describe(model)}")
    steps = v.integer(steps, "steps", minimum=1)
    lr = v.real(lr, "lr", minimum=0.0, open_min=True)
    weight_decay = v.real(weight_decay, "weight_decay", minimum=0.0)
    torch.manual_seed(v.seed(seed))
    X, y = data
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    ce = torch.nn.CrossEntropyLoss()
    loss = torch.zeros(())
    for _ in range(steps):
        opt.zero_grad()
        loss = ce(model(X), y)
        loss.backward()
        opt.step()
    return model, float(loss.detach())
