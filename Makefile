# `make test` and `make demo` install what they need (Debian packages as root, a venv, the
# project) and then run; a second run skips what is already there.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Build deps of python-augeas/ethtool/dbus-python, the lenses, the private D-Bus and tmux the
# tests start, and the daemons whose own config checkers the tests run on generated files.
APT_PACKAGES := libaugeas-dev augeas-lenses augeas-tools libnl-3-dev libnl-route-3-dev \
	libdbus-1-dev libglib2.0-dev pkg-config gcc dbus tmux util-linux e2fsprogs \
	openssh-server rsyslog logrotate chrony libpwquality-tools squashfs-tools grub-common passwd openssl \
	kdump-tools nfs-common collectd-core gdisk dosfstools mtools network-manager

.PHONY: all deps venv test lint unit plugin-test demo bench clean

all: test

deps:
	@tools/ensure-apt $(APT_PACKAGES)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: deps $(STAMP)

lint: venv
	$(BIN)/ruff check ovirt_node tests examples
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest -q

# The example plugin is installed into its own directory, not the venv, so the main suite
# sees the product without it (and tests that it appears only when installed).
PLUGIN_SRC := examples/ovirt-node-plugin-motd
PLUGIN_DIR := build/example-plugin
$(PLUGIN_DIR)/.stamp: $(STAMP) $(shell find $(PLUGIN_SRC) -name '*.py' -o -name pyproject.toml)
	rm -rf $(PLUGIN_DIR)
	$(BIN)/pip install -q --no-deps --target $(PLUGIN_DIR) $(PLUGIN_SRC)
	touch $@

plugin-test: venv $(PLUGIN_DIR)/.stamp
	PYTHONPATH=$(PLUGIN_DIR) $(BIN)/pytest -q -p no:cacheprovider $(PLUGIN_SRC)/tests

test: lint plugin-test unit

demo: venv $(PLUGIN_DIR)/.stamp
	@tools/demo

bench: venv
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
