"""netops: manage network namespaces and firewall rules on a network node."""

__version__ = "0.3.1"
