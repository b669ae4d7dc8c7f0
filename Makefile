# Two commands from a fresh machine: `make demo` runs the whole network, `make test` the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test lint browser mariadb venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Debian's Chromium drives the browser tests; never a downloaded browser build.
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) \
	  || { echo "could not install chromium (run as root or install the 'chromium' package)"; exit 1; }; }

# Debian's MariaDB server backs the SLiMS connector's tests (a real mariadbd per session).
mariadb:
	@command -v mariadbd >/dev/null || { \
	  echo "Installing Debian's mariadb-server for the SLiMS connector tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server) \
	  || { echo "could not install mariadb-server (run as root or install the 'mariadb-server' package)"; exit 1; }; }

lint: venv
	$(BIN)/ruff check .

test: venv browser mariadb lint
	$(BIN)/python -m pytest

demo: venv
	$(BIN)/jala demo

clean:
	rm -rf $(VENV) var test-output .pytest_cache .ruff_cache
