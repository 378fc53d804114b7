"""iptables management for the network node."""
import logging
import os
import shlex
import subprocess

from netops import utils

LOG = logging.getLogger(__name__)


class FirewallError(RuntimeError):
    pass


class IptablesFirewall:
    def __init__(self, namespace=None):
        self.namespace = namespace

    def _prefix(self):
        return ["ip", "netns", "exec", self.namespace] if self.namespace else []

    def block_address(self, address):
        LOG.info("Blocking %s", address)
        if os.system("iptables -A INPUT -s %s -j DROP" % address) != 0:
            raise FirewallError("could not block %s" % address)

    def unblock_address(self, address):
        LOG.info("Unblocking %s", address)
        if os.system("iptables -D INPUT -s %s -j DROP" % shlex.quote(address)) != 0:
            raise FirewallError("could not unblock %s" % address)

    def allow_port(self, port, protocol="tcp"):
        if protocol not in ("tcp", "udp"):
            raise ValueError("unsupported protocol %r" % protocol)
        utils.execute(self._prefix() + ["iptables", "-A", "INPUT", "-p", protocol,
                                        "--dport", "%d" % int(port), "-j", "ACCEPT"],
                      run_as_root=True)

    def save(self):
        proc = subprocess.run(self._prefix() + ["iptables-save"], check=True,
                              capture_output=True, text=True)
        return proc.stdout

    def restore(self, rules_path):
        LOG.info("Restoring rules from %s", rules_path)
        with open(rules_path) as rules:
            subprocess.call(self._prefix() + ["iptables-restore", "--noflush"], stdin=rules)

    def render_script(self, addresses):
        """Shell script an operator can review before running it by hand."""
        lines = ["#!/bin/sh", "set -e"]
        lines += ["iptables -A INPUT -s %s -j DROP" % shlex.quote(a) for a in addresses]
        return "\n".join(lines) + "\n"
