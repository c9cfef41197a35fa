"""User checks: import a Python file or module so that its ``register_check`` calls run.

``theorycheck sweep CHECK --from my_checks.py`` (or ``--from mypackage.checks``) loads
the user's checks before ``CHECK`` is looked up.  A file is imported under a private
module name and, when cloudpickle is present (it comes with Dask), marked to be pickled
by value, so Dask workers that cannot import the file still receive its functions.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import re
import sys
from types import ModuleType

__all__ = ["load_checks"]


def load_checks(spec: str) -> ModuleType:
    """Import ``spec``: a path to a ``.py`` file, or an importable module name.

    Parameters
    ----------
    spec
        ``path/to/checks.py`` or ``package.module``.

    Returns
    -------
    module
        The imported module (its checks are now registered).

    Raises
    ------
    ValueError
        No such file or module, or the import raised (the message names ``spec`` and the error).
    TypeError
        ``spec`` is not a string.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise TypeError(f"--from needs a file path or a module name; got {spec!r}")
    spec = spec.strip()
    is_file = spec.endswith(".py") or os.sep in spec or os.path.isfile(spec)
    try:
        if not is_file:
            return importlib.import_module(spec)
        path = os.path.abspath(spec)
        if not os.path.isfile(path):
            raise ValueError(f"--from {spec}: no such file")
        stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
        name = f"theorycheck_user_{stem}_{hashlib.sha1(path.encode()).hexdigest()[:8]}"
        if name in sys.modules:
            return sys.modules[name]
        mspec = importlib.util.spec_from_file_location(name, path)
        if mspec is None or mspec.loader is None:
            raise ValueError(f"--from {spec}: cannot import this file")
        module = importlib.util.module_from_spec(mspec)
        sys.modules[name] = module
        try:
            mspec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        try:
            import cloudpickle

            cloudpickle.register_pickle_by_value(module)
        except ImportError:
            pass
        return module
    except ValueError:
        raise
    except ModuleNotFoundError as exc:
        raise ValueError(f"--from {spec}: no such module ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - the user's code failed on import: say so, exit 2
        raise ValueError(f"--from {spec}: importing it raised {type(exc).__name__}: {exc}") from None
