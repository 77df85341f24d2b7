"""The applications: each command in ``applications/`` is a class here.

Stage commands (one stage of the chain each): ``topo``, ``geo2rdr``,
``resampleSlc``, ``crossmul``, ``geocode``. Modules are imported on demand.
"""
