# Two entry points for a fresh Debian 12 machine, as root: `make demo`, `make test`.
# Both install what they need (Debian packages, .venv with pinned versions) once.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STAGES ?= unit sanity lint scripts integration molecule

.PHONY: help bootstrap build-tools demo demo-clean test test-unit test-fast test-molecule libvirtd-start libvirtd-stop

help:
	@echo "make demo        run the main job on this machine (playbooks/demo.yml)"
	@echo "make demo-clean  remove the demo guests"
	@echo "make test        run the whole test suite (unit, sanity, lint, scripts, integration, molecule)"
	@echo "make test STAGES=\"unit lint\"  some stages only (INTEGRATION_TARGETS=name narrows integration)"
	@echo "make test-fast   unit tests only, for iteration"
	@echo "make test-molecule [SCENARIOS=\"host_network xen_host\"]  the Molecule scenarios in VMs only"
	@echo "make build-tools install the tools the VM image and apt repository builds need"

bootstrap:
	@bash scripts/bootstrap.sh

build-tools:
	@bash scripts/build-tools.sh all

demo:
	@bash scripts/demo.sh

demo-clean:
	@bash scripts/demo.sh -e virtops_demo_clean=true

test:
	@STAGES="$(STAGES)" bash scripts/test.sh

test-fast test-unit:
	@STAGES=unit bash scripts/test.sh

test-molecule:
	@STAGES=molecule MOLECULE_SCENARIOS="$(SCENARIOS)" bash scripts/test.sh

libvirtd-start:
	@bash scripts/libvirtd.sh start --hold

libvirtd-stop:
	@bash scripts/libvirtd.sh stop --hold
