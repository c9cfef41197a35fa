"""Systems: each experiment defined once, read by both ``predict`` and ``measure``.

A system is the single description of what is studied (a network and its
initialisation law, a family of summands, a Lindblad model).  A check builds it
from its parameters; the theory's arguments and the measurement's arguments are
both read off it, so the two cannot drift apart.  Private modules, one per system;
the public names are re-exported here.
"""

from __future__ import annotations

from validation.systems._lindblad import LindbladModel
from validation.systems._mlp import MLP, activation_param, layer_laws
from validation.systems._slt import (
    DeepLinearTeacherStudent,
    NormalCrossingSystem,
    QuadraticBehaviourSystem,
    QuadraticSystem,
    TrainedStudent,
    networks_param,
    powers_list_param,
)
from validation.systems._tms import KGON_CRITICAL_POINTS, TmsKgonSystem
from validation.systems._summands import SUMMANDS, Summand, summand

__all__ = ["MLP", "activation_param", "layer_laws", "LindbladModel", "Summand", "SUMMANDS", "summand", "DeepLinearTeacherStudent",
           "NormalCrossingSystem", "QuadraticBehaviourSystem", "QuadraticSystem", "TmsKgonSystem",
           "KGON_CRITICAL_POINTS", "TrainedStudent", "networks_param",
           "powers_list_param"]
