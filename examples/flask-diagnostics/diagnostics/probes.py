"""Probes that shell out to the system's network tools."""
import subprocess

PING = "/bin/ping"


def reachability_report(host, count):
    output = _run_ping(host, count)
    lost = "100% packet loss" in output
    return {"host": host, "reachable": not lost, "raw": output}


def _run_ping(host, count):
    command = "%s -c %d -W 2 %s" % (PING, count, host)
    return _shell(command)


def _shell(command):
    completed = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30)
    return completed.stdout
