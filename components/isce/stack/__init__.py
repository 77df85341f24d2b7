"""Stacks of dates (ISCE2's ``stackStripMap.py``): the network of pairs
(:mod:`~isce.stack.network`), the dates' inputs (:mod:`~isce.stack.inputs`), the per-date and
per-pair tasks (:mod:`~isce.stack.tasks`) and their Dask runner (:mod:`~isce.stack.runner`,
the optional dependency ``isce[stack]``). The command is :mod:`isce.apps.stack`."""
