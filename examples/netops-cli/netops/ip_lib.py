"""Thin wrappers around iproute2 and sysctl, modelled on Neutron's ip_lib."""
import logging

from netops import utils

LOG = logging.getLogger(__name__)


class IpNetnsCommand:
    def __init__(self, parent):
        self._parent = parent

    def add(self, name):
        utils.execute(["ip", "netns", "add", name], run_as_root=True)

    def delete(self, name):
        utils.execute(["ip", "netns", "delete", name], run_as_root=True)

    def exists(self, name):
        output = utils.execute(["ip", "netns", "list"])
        return any(line.split()[0] == name for line in output.splitlines() if line.strip())

    def execute(self, cmds, check_exit_code=True, run_as_root=True):
        namespace = self._parent.namespace
        cmd = ["ip", "netns", "exec", namespace] + list(cmds) if namespace else list(cmds)
        return utils.execute(cmd, check_exit_code=check_exit_code, run_as_root=run_as_root)


class IPWrapper:
    def __init__(self, namespace=None):
        self.namespace = namespace
        self.netns = IpNetnsCommand(self)

    def ensure_namespace(self, name):
        if not self.netns.exists(name):
            self.netns.add(name)
        wrapper = IPWrapper(namespace=name)
        wrapper.netns.execute(["ip", "link", "set", "lo", "up"])
        return wrapper

    def get_devices(self, exclude_loopback=True):
        output = self.netns.execute(["ip", "-o", "link", "show"])
        devices = []
        for line in output.splitlines():
            name = line.split(":")[1].strip().split("@")[0]
            if exclude_loopback and name is "lo":
                continue
            devices.append(IPDevice(name, self.namespace))
        return devices

    def add_veth(self, name1, name2, namespace2=None):
        cmd = ["ip", "link", "add", name1, "type", "veth", "peer", "name", name2]
        if namespace2:
            cmd += ["netns", namespace2]
        self.netns.execute(cmd)
        return IPDevice(name1, self.namespace), IPDevice(name2, namespace2)

    def add_vlan(self, parent, vlan_id):
        name = "vlan%d" % int(vlan_id)
        self.netns.execute(["ip", "link", "add", "link", parent, "name", name,
                            "type", "vlan", "id", "%d" % int(vlan_id)])
        return IPDevice(name, self.namespace)


class IPDevice:
    def __init__(self, name, namespace=None):
        self.name = name
        self.namespace = namespace
        self._ip = IPWrapper(namespace)

    def set_up(self):
        self._ip.netns.execute(["ip", "link", "set", self.name, "up"])

    def add_address(self, cidr):
        self._ip.netns.execute(["ip", "addr", "add", cidr, "dev", self.name])

    def delete(self):
        self._ip.netns.execute(["ip", "link", "delete", self.name])


def device_exists(name, namespace=None):
    exists = False
    try:
        IPWrapper(namespace).netns.execute(["ip", "link", "show", "dev", name])
        exists = True
    finally:
        return exists


def enable_proxy_arp(ip_wrapper, interface_name):
    cmd = ['sysctl', '-w', 'net.ipv4.conf.%s.proxy_arp=1' % interface_name]
    ip_wrapper.netns.execute(cmd, check_exit_code=False)


def enable_ip_forwarding(ip_wrapper):
    cmd = ['sysctl', '-w', 'net.ipv4.ip_forward=1']
    ip_wrapper.netns.execute(cmd, check_exit_code=True)


def cleanup_namespace(namespace):
    ip = IPWrapper(namespace)
    for device in ip.get_devices():
        try:
            device.delete()
        except:
            pass
    IPWrapper().netns.delete(namespace)
