"""The applications: each command in ``applications/`` is a class here.

Stage commands (one stage of the chain each): ``topo``, ``geo2rdr``,
``resampleSlc`` (:mod:`.resample`), ``crossmul``, ``geocode``; raw data:
``simulateApp`` (:mod:`.simulate`), ``focus``; quality: ``pointTarget``
(:mod:`.pointtarget`). Modules are imported on demand.
"""
