# The two set-up commands of the README: `make demo` and `make test`.
# Both create (or reuse) the virtual environment .venv with isce installed.
PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?=

.PHONY: demo tutorial test env mintpy-env stack-demo build bench clean

demo: env
	@$(VENV)/bin/python setup/demo.py

# The framework tutorial (configuration layers, steps, resume) on the greeter example.
tutorial: env
	@$(VENV)/bin/python setup/tutorial.py

test: env mintpy-env
	@$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# MintPy from PyPI in its own environment (.venv-mintpy): the client the stack outputs must satisfy.
mintpy-env:
	@$(PYTHON) setup/mintpy_env.py

# A simulated raw stack through stackStripMap.py and MintPy to a velocity map, checked against the truth.
stack-demo: env mintpy-env
	@$(VENV)/bin/python setup/stack_demo.py

env:
	@$(PYTHON) setup/bootstrap.py --venv $(VENV)

# Development: build the compiled kernels in place (components/isce/ext) with SCons.
build: env
	@$(VENV)/bin/python -m pip install --quiet scons pybind11
	@$(VENV)/bin/scons -Q

bench: env
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(VENV)/bin/python $$b || exit 1; done

clean:
	rm -rf build dist demo .pytest_cache
	find components -name '*.so' -delete
