# Developer entry points. `make test` is the one test command (README.md, .ci/run):
# it installs what it needs (Python deps, collections, the Docker engine, test images).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(ROOT)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(ROOT)/.cache/self:$(ROOT)/.cache/collections
export ANSIBLE_ROLES_PATH := $(ROOT)/roles
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0
# molecule scenarios run by `make test`, in this order (each is molecule/<name>)
SCENARIOS ?= $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))

.PHONY: test bootstrap docker images images-test unit integration sanity lint molecule lab-test build emulator

test: bootstrap docker images images-test unit integration sanity lint molecule lab-test
	@echo "make test: all suites passed"

bootstrap:
	@scripts/bootstrap-python.sh

docker:
	@scripts/bootstrap-docker.sh

images: docker
	@scripts/build-images.sh

# The test images boot systemd, write only their own net sysctls, and do IPv6.
images-test: bootstrap images
	$(BIN)/pytest -q -p no:cacheprovider tests/docker

# Unit tests of module_utils and argument validation, and the emulator's own tests.
unit: bootstrap
	$(BIN)/pytest -q -p no:cacheprovider tests/unit tests/emulator

# Every module through real ansible-playbook against the emulator, and site.yml's AWS play, a
# re-run and teardown.yml on a realism emulator throttling 20 % of the calls (3 seeds); the tests
# that need a server or the real openvpn use the test images.
integration: bootstrap images
	$(BIN)/pytest -q -p no:cacheprovider -n 2 tests/integration

sanity: bootstrap
	@scripts/sanity.sh

lint: bootstrap
	$(BIN)/yamllint -s .
	$(BIN)/ansible-lint --profile production
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

molecule: bootstrap images
	@for s in $(SCENARIOS); do echo "== molecule test -s $$s"; $(BIN)/molecule test -s $$s || exit 1; done

# The lab end to end (its own lab id and networks, so a running `make lab` is left alone).
lab-test: bootstrap images
	$(BIN)/pytest -q -p no:cacheprovider tests/lab

build: bootstrap
	$(BIN)/ansible-galaxy collection build --force --output-path .cache/dist .

# Soak (not part of `make test`): the realism test's cycle for many seeds, with figures.
SEEDS ?= 20
.PHONY: soak
soak: bootstrap
	$(BIN)/python -m tests.bench.soak_aws --seeds $(SEEDS)

# Standalone EC2 emulator on loopback: make emulator PORT=5000
PORT ?= 5000
emulator: bootstrap
	$(BIN)/python -m tests.emulator --port $(PORT)

# The local lab (README "The lab"): site.yml end to end against the emulator and containers.
# scripts/lab.sh installs what it needs itself, with a progress line per phase.
.PHONY: lab lab-down
lab:
	@scripts/lab.sh up

lab-down:
	@scripts/lab.sh down
