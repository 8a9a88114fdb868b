# `make test` and `make demo` install what they need (Debian packages as root, a venv, the
# project) and then run; a second run skips what is already there.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# What `ovirt-node-image build` runs (mmdebstrap, mksquashfs, grub-mkrescue with xorriso and
# mtools, cpio): the integration tests on the node image's own root build the image when it is
# not cached (tests/integration/node_root.py).
IMAGE_BUILD_PACKAGES := mmdebstrap squashfs-tools xorriso grub-pc-bin grub-efi-amd64-bin grub-common \
	mtools cpio

# Build deps of python-augeas/ethtool/dbus-python (python3-dev and python3-venv for Debian's own
# python3), the lenses, the private D-Bus and tmux the tests start, the daemons whose own config
# checkers the tests run on generated files, tuned, whose real `tuned-adm list` the node's own
# profile list is tested against, cracklib's dictionary for the password-strength hint,
# virsh (the Status page's VM count is tested on libvirt's test driver), modprobe (kmod: its
# refusal the netconsole command must report), systemd-journald with libsystemd-dev (to
# build systemd-python): ovirt-node-config's journal records are read back from a real journal,
# systemd-journal-remote, which writes the journal files the support bundle's test plants lines
# in, dnsmasq and iproute2 (the network test's little network), and the image build.
# `make fresh-test` proves the list complete on a fresh Debian 12 root.
APT_PACKAGES := libaugeas-dev augeas-lenses augeas-tools libnl-3-dev libnl-route-3-dev \
	libdbus-1-dev libglib2.0-dev pkg-config gcc dbus tmux util-linux e2fsprogs \
	openssh-server rsyslog logrotate chrony libpwquality-tools grub-common passwd openssl \
	kdump-tools nfs-common collectd-core gdisk dosfstools mtools network-manager \
	snmpd snmp puppet-agent tuned iputils-ping ethtool sudo cracklib-runtime python3-dev python3-venv \
	libvirt-clients kmod systemd libsystemd-dev systemd-journal-remote dnsmasq-base iproute2 \
	$(IMAGE_BUILD_PACKAGES)

# Booting the node image (make node-image; the VM tests): not needed by `make test`.
IMAGE_APT_PACKAGES := $(IMAGE_BUILD_PACKAGES) qemu-system-x86 qemu-utils ovmf openssl tgt openssh-client
IMAGE_ARGS ?=

.PHONY: all deps venv test lint unit plugin-test plugins demo bench campaign clean node-image image-deps vm-test \
	fresh-test collection

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
	$(BIN)/ruff check ovirt_node tests examples plugins ansible
	$(BIN)/mypy
	$(if $(PLUGIN_PKGS),$(BIN)/mypy --strict $(PLUGIN_PKGS))

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

# The add-on plugins: every directory under plugins/ is a package of its own, installed into
# build/plugins/<name> and tested with only that directory (and the repo, for the test
# helpers) on PYTHONPATH. Nothing here names them: a new directory is picked up as it is.
PLUGINS := $(notdir $(wildcard plugins/*))
PLUGIN_PKGS := $(filter-out %.egg-info,$(wildcard plugins/*/ovirt_node_*))
PLUGINS_DIR := build/plugins
.SECONDEXPANSION:
$(PLUGINS_DIR)/%/.stamp: $(STAMP) $$(shell find plugins/$$* -name build -prune -o \( -name '*.py' -o -name pyproject.toml \) -print)
	rm -rf $(PLUGINS_DIR)/$*
	$(BIN)/pip install -q --no-deps --target $(PLUGINS_DIR)/$* plugins/$*
	touch $@

plugins: $(PLUGINS:%=$(PLUGINS_DIR)/%/.stamp)

plugin-test: venv $(PLUGIN_DIR)/.stamp plugins
	PYTHONPATH=$(PLUGIN_DIR) $(BIN)/pytest -q -p no:cacheprovider $(PLUGIN_SRC)/tests
	@set -e; for name in $(PLUGINS); do \
		echo "plugin-test: plugins/$$name"; \
		PYTHONPATH=$(CURDIR)/$(PLUGINS_DIR)/$$name:$(CURDIR) $(BIN)/pytest -q -p no:cacheprovider plugins/$$name/tests; \
	done

# The Ansible collection (ansible/ovirt_node) as ansible-galaxy builds it: build/collection/ovirt-node-*.tar.gz.
# Its tests (tests/ansible, in `unit`) build and install it themselves and run ansible-playbook on it.
COLLECTION_DIR := build/collection
collection: venv
	rm -rf $(COLLECTION_DIR)
	$(BIN)/ansible-galaxy collection build ansible/ovirt_node --output-path $(COLLECTION_DIR)

test: lint plugin-test collection unit

demo: venv $(PLUGIN_DIR)/.stamp plugins
	@tools/demo

# The README's `make test` on a fresh Debian 12 root built with mmdebstrap (cached a week): proves
# that the Makefile installs everything the suite needs (tools/fresh-test; CI runs it).
fresh-test:
	@tools/fresh-test

image-deps:
	@tools/ensure-apt $(IMAGE_APT_PACKAGES)

# The image directory (vmlinuz, initrd.img, LiveOS/squashfs.img, version, SHA256SUMS,
# ovirt-node.iso) in build/image; cached under ~/.cache/ovirt-node/images/ (docs/image.md).
node-image: venv image-deps
	$(BIN)/ovirt-node-image build --out build/image $(IMAGE_ARGS)

# The whole-node proof: qemu guests boot the node image (the tests build it, or take it from
# the cache). Slow (TCG here), so never part of `make test`.
# Two guests at a time (-smp 1 each) on the two cores; VM_WORKERS=1 runs the scenarios one by one.
VM_WORKERS ?= 2
vm-test: venv image-deps
	$(BIN)/pytest -m vm -p no:cacheprovider -v -n $(VM_WORKERS) --dist loadfile --no-loadscope-reorder tests/vm

bench: venv
	$(BIN)/python -m tests.bench

# Issue 20's attack campaign at the issue's scale (docs/robustness.md): ~20 min on 2 cores, so
# never part of `make test`. CAMPAIGN_ARGS: e.g. --seed 7 --scale 0.1 --only kill.
CAMPAIGN_ARGS ?=
campaign: venv
	nice -n 10 $(BIN)/python -m tests.campaign.run $(CAMPAIGN_ARGS)

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
