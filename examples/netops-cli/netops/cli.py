"""Command-line entry point: ``netops <command> [options]``."""
import argparse
import logging
import socket
import sys
import threading

from netops import __version__, firewall, ip_lib, utils

LOG = logging.getLogger("netops")

PID_FILE = "/run/netops/netops.pid"
LOCK_FILE = "/run/netops/netops.lock"
METADATA_UPSTREAM = ("169.254.169.254", 80)


def cmd_create_ns(args):
    root = ip_lib.IPWrapper()
    ns = root.ensure_namespace(args.name)
    if args.interface and not ip_lib.device_exists(args.interface):
        inside = args.interface + "-ns"
        _, peer = root.add_veth(args.interface, inside, namespace2=args.name)
        peer.set_up()
        if args.address:
            peer.add_address(args.address)
        if args.proxy_arp:
            ip_lib.enable_proxy_arp(ns, inside)
    if args.forwarding:
        ip_lib.enable_ip_forwarding(ns)


def cmd_delete_ns(args):
    ip_lib.cleanup_namespace(args.name)


def cmd_vlan(args):
    dev = ip_lib.IPWrapper(args.namespace).add_vlan(args.parent, args.vlan_id)
    dev.set_up()


def cmd_block(args):
    fw = firewall.IptablesFirewall(args.namespace)
    if args.dry_run:
        sys.stdout.write(fw.render_script(args.addresses))
        return
    for address in args.addresses:
        fw.block_address(address)


def cmd_restore(args):
    firewall.IptablesFirewall(args.namespace).restore(args.rules_file)


def _pipe(src, dst):
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            dst.sendall(chunk)
    except OSError as exc:
        LOG.debug("Metadata connection closed: %s", exc)
    finally:
        dst.close()


def cmd_metadata_proxy(args):
    utils.write_pid_file(PID_FILE)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", 8775))
    server.listen(64)
    LOG.info("Metadata proxy listening on port 8775")
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection(METADATA_UPSTREAM, timeout=10)
        threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()


def build_parser():
    parser = argparse.ArgumentParser(prog="netops")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("create-ns", help="create a namespace and plug a veth into it")
    p.add_argument("name")
    p.add_argument("--interface")
    p.add_argument("--address", help="CIDR for the namespace side of the veth")
    p.add_argument("--proxy-arp", action="store_true")
    p.add_argument("--forwarding", action="store_true")
    p.set_defaults(func=cmd_create_ns)

    p = sub.add_parser("delete-ns")
    p.add_argument("name")
    p.set_defaults(func=cmd_delete_ns)

    p = sub.add_parser("vlan")
    p.add_argument("parent")
    p.add_argument("vlan_id", type=int)
    p.add_argument("--namespace")
    p.set_defaults(func=cmd_vlan)

    p = sub.add_parser("block", help="drop all traffic from the given addresses")
    p.add_argument("addresses", nargs="+")
    p.add_argument("--namespace")
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(func=cmd_block)

    p = sub.add_parser("restore")
    p.add_argument("rules_file")
    p.add_argument("--namespace")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("metadata-proxy")
    p.set_defaults(func=cmd_metadata_proxy)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    if args.command == "metadata-proxy":
        return args.func(args)
    utils.take_lock(LOCK_FILE)
    try:
        args.func(args)
    except utils.ProcessExecutionError as exc:
        LOG.error("%s", exc)
        return 1
    finally:
        utils.release_lock(LOCK_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
