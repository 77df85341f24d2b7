"""The Dask runner (isce.stack.runner): Dask stays optional (one-line error without it), a
scheduler that is neither an address nor a file is refused at once, and tasks run on a
LocalCluster return their results by name."""
import sys

import pytest
from isce.framework import ConfigurationError, InputError
from isce.stack.runner import Runner


def test_without_dask_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)       # import distributed fails
    with pytest.raises(ConfigurationError, match=r"pip install isce\[stack\]"):
        Runner().connect()


def test_scheduler_neither_address_nor_file(tmp_path):
    with pytest.raises(InputError, match="neither an address .* nor an existing scheduler file"):
        Runner(str(tmp_path / "nothing.json")).connect()


def test_local_cluster_runs_tasks_by_name():
    runner = Runner(workers=1, threads_per_worker=1)
    try:
        results = runner.run([(f"square_{i}", pow, (i, 2)) for i in range(3)], "squares")
        assert results == {"square_0": 0, "square_1": 1, "square_2": 4}
        assert "1 workers, 1 threads" in runner.describe()
        with pytest.raises(ZeroDivisionError):      # a task's error reaches the caller
            runner.run([("bad", divmod, (1, 0))])
    finally:
        runner.close()
