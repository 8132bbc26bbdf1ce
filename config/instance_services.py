"""The MVP tier's services: containers on its one instance, behind nginx.

There `cpu` and `memory` are Docker limits (`--cpus` = cpu / 1024, `--memory` in MiB) that must
fit the instance, not Fargate sizes; routes become nginx locations, so only the path patterns
nginx's prefix and exact locations match the way the ALB does are taken; task counts and
`cpuTarget` apply in the scaled tier only (one container each here).
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from config.catalogs import EC2_SIZES
from config.settings import ServiceSettings

KEY = "webstack:services"
INSTANCE_KEY = "webstack:serverInstanceType"
CPU_UNITS_PER_VCPU = 1024  # `cpu` counts ECS CPU units in both tiers
# Docker refuses --cpus below 0.01 or above the host's CPUs ("range of CPUs is from 0.01 to N.00,
# as there are only N CPUs available", moby daemon's verifyPlatformContainerResources).
MIN_CPU_UNITS = 11  # 0.01 CPUs
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (memory):
# the Docker 20.10.0 or later daemon reserves a minimum of 6 MiB of memory for a container.
MIN_MEMORY_MIB = 6
# What the containers leave to the kernel, systemd, the SSM agent, Docker, nginx and the start
# script's AWS CLI calls: this program's margin, not a figure read from AWS.
OS_RESERVE_MIB = 384
# nginx takes a prefix location or an exact one literally; this program keeps to URL path
# characters that need no quoting in nginx.conf (its own conservative choice).
NGINX_LITERAL = re.compile(r"^/[A-Za-z0-9_\-./~@:+&]*$")
# The instance's own health check (nginx answers it; see components/app/server_boot.py).
NGINX_HEALTH_PATH = "/nginx-health"


def instance_size(instance_type: str) -> tuple[int, int]:
    """(vCPUs, memory MiB) of an instance type in the catalog."""
    return EC2_SIZES[instance_type]


def container_memory_mib(instance_type: str) -> int:
    """What the containers may take together: the instance's memory less the OS reserve."""
    return instance_size(instance_type)[1] - OS_RESERVE_MIB


def default_instance_service(flat: Mapping[str, Any]) -> ServiceSettings:
    """The one service of an MVP stack without `services`: appImage at `/*` with the whole
    instance (less the reserve), as the instance ran it before services existed."""
    instance_type = flat["serverInstanceType"]
    return ServiceSettings(
        image=flat["appImage"], port=flat["appPort"],
        cpu=instance_size(instance_type)[0] * CPU_UNITS_PER_VCPU,
        memory=max(container_memory_mib(instance_type), MIN_MEMORY_MIB),
        min_tasks=1, desired_tasks=1, max_tasks=1, cpu_target=flat["scalingCpuTarget"],
        routes=("/*",))


def size_problems(where: str, cpu: int, memory: int, instance_type: str) -> list[str]:
    """One service's limits against the instance (Fargate's sizes do not apply on it)."""
    vcpus, memory_mib = instance_size(instance_type)
    problems = []
    if not MIN_CPU_UNITS <= cpu <= vcpus * CPU_UNITS_PER_VCPU:
        problems.append(f"{where}.cpu = {cpu} is not valid with {INSTANCE_KEY} = "
                        f"{instance_type!r}; allowed on the mvp tier: {MIN_CPU_UNITS} to "
                        f"{vcpus * CPU_UNITS_PER_VCPU} CPU units (docker --cpus 0.01 to the "
                        f"instance's {vcpus} vCPUs; 1024 units = 1 vCPU)")
    if not MIN_MEMORY_MIB <= memory <= memory_mib:
        problems.append(f"{where}.memory = {memory} is not valid with {INSTANCE_KEY} = "
                        f"{instance_type!r}; allowed on the mvp tier: {MIN_MEMORY_MIB} to "
                        f"{memory_mib} MiB (docker --memory, within the instance's memory)")
    return problems


def memory_sum_problems(services: tuple[ServiceSettings, ...], instance_type: str) -> list[str]:
    """The containers' memory limits together must leave the OS its reserve."""
    total = sum(service.memory for service in services)
    budget = container_memory_mib(instance_type)
    if total <= budget:
        return []
    keys = " + ".join(f"{KEY}.{s.name}.memory ({s.memory})" for s in services)
    return [f"{keys} = {total} MiB is more than {INSTANCE_KEY} = {instance_type!r} leaves the "
            f"containers: {instance_size(instance_type)[1]} MiB less {OS_RESERVE_MIB} MiB for the "
            f"OS, Docker and nginx = {budget} MiB; allowed: lower memory limits or a larger "
            "instance type"]


def route_problems(where: str, routes: tuple[str, ...]) -> list[str]:
    """Routes nginx's prefix or exact locations cannot match the way the ALB's pattern does."""
    return [f"{where}.routes: {route!r} is not valid with webstack:tier = 'mvp'; allowed: a "
            "literal path (an exact location) or a literal path ending in one * (a prefix "
            "location), of letters, digits and _-./~@:+& (nginx matches no other wildcard the "
            "way the ALB does)"
            for route in routes if nginx_location(route) is None] + \
        [f"{where}.routes: {route!r} is not valid with webstack:tier = 'mvp'; allowed: any path "
         f"outside {NGINX_HEALTH_PATH}, which nginx answers itself as the instance's health check"
         for route in routes if literal_of(route).startswith(NGINX_HEALTH_PATH)]


def literal_of(route: str) -> str:
    return route[:-1] if route.endswith("*") else route


def nginx_location(route: str) -> Optional[tuple[str, str]]:
    """(modifier, path) of the nginx location that matches what the ALB pattern matches:
    `/api/*` → prefix `/api/`, `/health` → exact `= /health`; None when nginx cannot."""
    literal = literal_of(route)
    if not NGINX_LITERAL.match(literal):
        return None
    return ("", literal) if route.endswith("*") else ("=", literal)
