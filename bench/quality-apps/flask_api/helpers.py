"""Helpers of the operations API: the sinks sit here, the request data comes from api.py."""
import subprocess


def run_report(target):
    # The defect is reported where the data from api.py reaches the shell.
    return subprocess.check_output("report.sh --target " + target, shell=True)


def shell(command):
    return subprocess.run(command, shell=True, check=False)
