r"""The toy model of superposition at a :math:`k`-gon critical point: what ``singular_learning.tms_kgon`` samples.

Private module of :mod:`validation.systems`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from numerics import validate as v
from numerics.singular_learning import ToyModelOfSuperposition, mse, tms_data, tms_kgon

__all__ = ["TmsKgonSystem", "KGON_CRITICAL_POINTS"]


#: The published :math:`k`-gon critical points :math:`(l^*, b^*)` (radius and live bias) of the two-hidden-dimension
#: TMS potential in the high-sparsity limit: Chen, Lau, Mendel, Wei & Murfet, arXiv:2310.06301 v1, appendix E.
KGON_CRITICAL_POINTS = {5: (1.17046, -0.28230), 6: (1.32053, -0.61814), 7: (1.44839, -0.96691), 8: (1.55045, -1.29119)}


@dataclass(frozen=True)
class TmsKgonSystem:
    r"""A toy model of superposition at a :math:`k`-gon critical point, on one-hot data.

    Data: the rows of :func:`numerics.singular_learning.tms_data` (``rows`` draws at ``sparsity``)
    with exactly one active feature -- conditionally on that, feature :math:`i` is uniform and its
    value :math:`U[0, 1]`: the high-sparsity-limit inputs of Chen et al. (arXiv:2310.06301, eq. (2)).
    Model: :func:`numerics.singular_learning.tms_kgon` at the published radius and bias
    (:data:`KGON_CRITICAL_POINTS`), ``positive_biases`` dead features with the bias :math:`1/(2c)`,
    then Newton steps on the empirical loss to its own nearby critical point (the published point
    is that of the population loss).

    Parameters
    ----------
    k
        Live features (5 to 8).
    features
        :math:`c \ge k`.
    positive_biases
        Dead features with a positive bias, :math:`0 \le \sigma \le c - k`.
    rows, sparsity
        Draws of ``tms_data`` and its sparsity :math:`S \in [0, 1)`.
    """

    k: int
    features: int
    positive_biases: int
    rows: int
    sparsity: float

    def __post_init__(self) -> None:
        k = v.integer(self.k, "k", minimum=min(KGON_CRITICAL_POINTS), maximum=max(KGON_CRITICAL_POINTS))
        c = v.integer(self.features, "features", minimum=k)
        object.__setattr__(self, "k", k)
        object.__setattr__(self, "features", c)
        object.__setattr__(self, "positive_biases", v.integer(self.positive_biases, "positive_biases", minimum=0, maximum=c - k))
        object.__setattr__(self, "rows", v.integer(self.rows, "rows", minimum=1))
        object.__setattr__(self, "sparsity", v.real(self.sparsity, "sparsity", minimum=0.0, maximum=1.0, open_max=True))

    def build(self, seed: int, newton_steps: int = 12) -> tuple[ToyModelOfSuperposition, tuple[torch.Tensor, torch.Tensor], dict[str, Any]]:
        """The model at the empirical critical point, the data, and the gradient norm and Hessian spectrum there.

        Newton steps restricted to the Hessian's nondegenerate eigenspace (eigenvalues above
        :math:`10^{-8}` of the largest; the flat directions are left where they are).

        Parameters
        ----------
        seed : int
            Seed of the data.
        newton_steps : int, default 12
            Newton steps from the published critical point.

        Returns
        -------
        (model, data, info)
            The :class:`~numerics.singular_learning.ToyModelOfSuperposition` at the critical point, ``(X, X)``
            (the one-hot rows), and ``{"grad_norm": float, "hessian_eigenvalues": ndarray}``.
        """
        X, _ = tms_data(self.features, self.rows, sparsity=self.sparsity, seed=seed)
        X = X[(X > 0).sum(1) == 1].clone()
        if X.shape[0] < 2:
            raise ValueError(f"rows={self.rows} at sparsity {self.sparsity} gave {X.shape[0]} one-hot rows; raise rows")
        data = (X, X)
        radius, bias = KGON_CRITICAL_POINTS[self.k]
        model = tms_kgon(self.k, self.features, radius=radius, bias=bias)
        with torch.no_grad():
            model.b[self.k:self.k + self.positive_biases] = 1.0 / (2 * self.features)
        shapes = [p.shape for p in model.parameters()]
        sizes = [p.numel() for p in model.parameters()]
        names = [n for n, _ in model.named_parameters()]

        def loss(w: torch.Tensor) -> torch.Tensor:
            ps = {n: t.reshape(s) for n, t, s in zip(names, torch.split(w, sizes), shapes)}
            return mse(torch.func.functional_call(model, ps, (X,)), X)

        def grad_hess(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            wg = w.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(loss(wg), wg)
            return g.detach(), torch.autograd.functional.hessian(loss, w.detach())

        w = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
        for _ in range(newton_steps):
            g, H = grad_hess(w)
            ev, U = torch.linalg.eigh(H)
            keep = ev > 1e-8 * ev.max()
            w = w - U[:, keep] @ ((U[:, keep].T @ g) / ev[keep])
        with torch.no_grad():
            for p, t in zip(model.parameters(), torch.split(w, sizes)):
                p.copy_(t.reshape(p.shape))
        g, H = grad_hess(w)
        info = {"grad_norm": float(g.norm()), "hessian_eigenvalues": torch.linalg.eigvalsh(H).numpy()}
        return model, data, info

