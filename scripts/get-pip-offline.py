"""Stand-in for pip's get-pip.py that ansible-test runs in each sanity virtualenv.

ansible-test downloads get-pip.py from its own CI file host, which these machines
cannot reach; bootstrap.sh puts this script in ansible-test's cache instead. It does
the same job with what Python ships (ensurepip) and the package index: bring pip in,
then install the exact packages ansible-test asked for (e.g. pip==24.2).
"""
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"],
                      stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "--upgrade"] + args)
