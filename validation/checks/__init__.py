"""The built-in checks, one subpackage per area (``validation.checks.<area>``).

Importing an area's package registers its checks (:func:`validation.check.register_check`);
the registry (:mod:`validation.registry`) imports the areas on demand.
"""
