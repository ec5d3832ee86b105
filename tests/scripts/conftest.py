"""Tests of the project's own set-up scripts, run by `make test` as root with the
private libvirtd up (the integration stage)."""
import os
import subprocess

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPTS = os.path.join(TOP, "scripts")


def run_script(name, *args, **env):
    full_env = dict(os.environ)
    full_env.update({k: str(v) for k, v in env.items()})
    return subprocess.run(["bash", os.path.join(SCRIPTS, name)] + list(args),
                          env=full_env, capture_output=True, text=True, check=False)


@pytest.fixture
def script():
    return run_script
