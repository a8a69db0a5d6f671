"""Stand-in for the get-pip.py that ansible-test downloads from a host this network can't reach.

ansible-test bootstraps pip into each sanity venv by running that script with pip's install
options and the packages to install (e.g. ``pip==24.2``). This does the same with the pip
wheel that ships inside CPython's ensurepip, taking the packages themselves from PyPI.
"""
import glob
import os
import sys

import ensurepip

bundled = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")))
if not bundled:
    sys.exit("get-pip-offline: this Python's ensurepip has no bundled pip wheel")
sys.path.insert(0, bundled[-1])

from pip._internal.cli.main import main  # noqa: E402  (importable only once the wheel is on sys.path)

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade", "--force-reinstall"] + args))
