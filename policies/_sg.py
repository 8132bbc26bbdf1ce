"""Security group ingress, read the same way from all three places pulumi-aws lets a program write
it: a group's inline `ingress` blocks, `aws.ec2.SecurityGroupRule` (type=ingress) and
`aws.vpc.SecurityGroupIngressRule`."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Optional

from policies import _aws as aws
from policies._props import UNKNOWN, as_int, dig, elements, is_list, is_true, items, known, peek, present

ALL_PORTS = (0, 65535)
PROTOCOL_NUMBERS = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6", -1: "-1"}
PORTED_PROTOCOLS = ("tcp", "udp")


def normalize_protocol(value: Any) -> str:
    text = str(value if value is not None else "-1").strip().lower()
    number = as_int(text)
    if number is not None:
        return PROTOCOL_NUMBERS.get(number, text)
    return "-1" if text == "all" else text


@dataclass(frozen=True)
class Ingress:
    where: str  # e.g. "ingress[1]" or "rule", for messages
    protocol: str  # "-1" (all), "tcp", "udp", "icmp", …
    from_port: Optional[int]
    to_port: Optional[int]
    cidrs: tuple[str, ...] = ()
    prefix_lists: tuple[str, ...] = ()
    self_reference: bool = False
    other_groups: bool = False  # admits security groups other than its own
    index: int = 0  # position among the resource's inline blocks

    @property
    def only_self(self) -> bool:
        """The group admits its own members and nothing else: how members of one group talk."""
        return self.self_reference and not (self.cidrs or self.prefix_lists or self.other_groups)

    @property
    def port_span(self) -> Optional[tuple[int, int]]:
        """The ports the rule opens; None for protocols without ports (ICMP, GRE…)."""
        if self.protocol == "-1":
            return ALL_PORTS
        if self.protocol not in PORTED_PROTOCOLS:
            return None
        low = ALL_PORTS[0] if self.from_port is None else max(self.from_port, ALL_PORTS[0])
        high = ALL_PORTS[1] if self.to_port is None or self.to_port < 0 else self.to_port
        return low, high

    @property
    def opens_everything(self) -> bool:
        span = self.port_span
        return self.protocol == "-1" or (span is not None and span[0] <= 1 and span[1] >= ALL_PORTS[1])

    def touches(self, port: int) -> bool:
        span = self.port_span
        return span is not None and span[0] <= port <= span[1]

    def describe(self) -> str:
        if self.protocol == "-1":
            return f"{self.where} (all traffic)"
        span = self.port_span
        if span is None:
            return f"{self.where} ({self.protocol})"
        ports = str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"
        return f"{self.where} ({self.protocol} {ports})"


def _inline(index: int, block: Mapping) -> Ingress:
    return Ingress(
        where=f"ingress[{index}]", protocol=normalize_protocol(dig(block, "protocol")),
        from_port=as_int(dig(block, "fromPort")), to_port=as_int(dig(block, "toPort")),
        cidrs=_texts(items(dig(block, "cidrBlocks")) + items(dig(block, "ipv6CidrBlocks"))),
        prefix_lists=_texts(items(dig(block, "prefixListIds"))),
        self_reference=is_true(dig(block, "self")),
        other_groups=_names_groups(block), index=index)


def _texts(values: list) -> tuple[str, ...]:
    """Sources as text for messages; a value of another type is kept (as text), not dropped."""
    return tuple(str(value) for value in values if value is not None and value != "")


def _names_groups(block: Mapping) -> bool:
    """Whether a block admits other groups; an unknown list or id counts as one."""
    groups = known(block, "securityGroups")
    return groups is UNKNOWN or (is_list(groups) and len(groups) > 0) or present(known(block, "sourceSecurityGroupId"))


def ingress_rules(resource_type: str, props: Mapping) -> list[Ingress]:
    """Every ingress rule a resource writes; empty for egress rules and unrelated resources."""
    if resource_type in aws.SECURITY_GROUPS:
        return known_rules(props)
    if resource_type == aws.SECURITY_GROUP_RULE:
        if props.get("type") != "ingress":
            return []
        return [replace(_inline(0, props), where="rule")]
    if resource_type == aws.SECURITY_GROUP_INGRESS_RULE:
        cidrs = _texts([props.get("cidrIpv4"), props.get("cidrIpv6")])
        prefix = props.get("prefixListId")
        source, target = known(props, "referencedSecurityGroupId"), known(props, "securityGroupId")
        itself = present(source) and source is not UNKNOWN and source == target
        return [Ingress("rule", normalize_protocol(props.get("ipProtocol")),
                        as_int(props.get("fromPort")), as_int(props.get("toPort")),
                        cidrs, _texts([prefix]), self_reference=itself,
                        other_groups=present(source) and not itself)]
    return []


def known_rules(props: Mapping) -> list[Ingress]:
    """A group's inline rules that are known during preview: a block (or a field of it) not yet
    known is skipped, so an open rule next to an unknown one is still judged."""
    blocks = known(props, "ingress")
    rules = [peek(lambda index=index, block=block: _inline(index, block), default=None)
             for index, block in enumerate(elements(blocks) if blocks is not UNKNOWN else [])
             if block is not UNKNOWN]
    return [rule for rule in rules if rule is not None]


RULE_TYPES = (*aws.SECURITY_GROUPS, aws.SECURITY_GROUP_RULE, aws.SECURITY_GROUP_INGRESS_RULE)


def network(cidr: str) -> Optional[ipaddress._BaseNetwork]:
    try:
        return ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        return None


def is_anywhere(cidr: str) -> bool:
    parsed = network(cidr)
    return parsed is not None and parsed.prefixlen == 0


def within_any(cidr: str, allowed: Iterable[str]) -> bool:
    parsed = network(cidr)
    if parsed is None:
        return False
    for candidate in (network(a) for a in allowed):
        if candidate is not None and candidate.version == parsed.version and parsed.subnet_of(candidate):
            return True
    return False
