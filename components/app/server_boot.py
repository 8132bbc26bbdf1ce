"""The MVP backend's boot script, rendered from typed args: one container per service, nginx
routing each service's paths to it, the way the scaled tier's ALB rules do.

Services reach each other by name on one Docker network, which admits every call between them:
`dependsOn` is enforced by the scaled tier's security groups only, not on one host.
Pure functions, no Pulumi: the tests read the nginx locations and the docker arguments here.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Optional

from config.instance_services import CPU_UNITS_PER_VCPU, NGINX_HEALTH_PATH, nginx_location
from config.settings import ServiceSettings

BOOT_SCRIPT = Path(__file__).with_name("backend_boot.sh")
LINE_WIDTH = 100
FIRST_HOST_PORT = 8080  # web services listen on 127.0.0.1:8080, 8081… for nginx, by name
# The scaled tier's container health check (components/app/service.py), the same on the instance.
HEALTH_CHECK = ("--health-interval", "30s", "--health-timeout", "5s", "--health-retries", "2",
                "--health-start-period", "60s")


@dataclass(frozen=True)
class BootArgs:
    region: str
    parameter_path: str  # SSM path under which the app's endpoints are published
    log_group: str
    services: tuple[ServiceSettings, ...]


@dataclass(frozen=True)
class Location:
    """One nginx location: `modifier` '=' (exact) or '' (prefix); `port` None answers 404."""

    modifier: str
    path: str
    service: Optional[str]
    port: Optional[int]

    def render(self) -> str:
        target = (f"proxy_pass http://127.0.0.1:{self.port};" if self.port is not None
                  else "return 404;")
        head = f"location {self.modifier} {self.path}" if self.modifier else f"location {self.path}"
        return f"    {head} {{ {target} }}"


def host_ports(services: tuple[ServiceSettings, ...]) -> dict[str, int]:
    """The loopback port nginx reaches each routed service on; internal services and workers
    take none (other services reach them on the Docker network, by name)."""
    routed = sorted(s.name for s in services if s.routed)
    return {name: FIRST_HOST_PORT + index for index, name in enumerate(routed)}


def nginx_locations(services: tuple[ServiceSettings, ...]) -> list[Location]:
    """Each route as the location that matches what its ALB pattern matches, exact ones first,
    then prefixes longest first (nginx picks the exact match, else the longest prefix, whatever
    the order; this order reads the same way).

    A prefix ending in a slash (`/api/` from `/api/*`) would make nginx answer `/api` with a 301
    to `/api/` (https://nginx.org/en/docs/http/ngx_http_core_module.html#location, as quoted on
    serverfault.com/questions/562425); the ALB's `/api/*` does not match `/api`, so an exact
    `= /api` sends it where the other patterns would, or answers 404.
    """
    ports = host_ports(services)
    owner = {nginx_location(route): s.name for s in services for route in s.routes}
    exact = {path for (modifier, path) in owner if modifier == "="}
    exact |= {path[:-1] for (modifier, path) in owner
              if modifier == "" and path.endswith("/") and len(path) > 1}
    locations = [Location("=", path, *_target(path, owner, ports)) for path in exact]
    locations += [Location("", path, name, ports[name])
                  for (modifier, path), name in owner.items() if modifier == ""]
    if ("", "/") not in owner:
        locations.append(Location("", "/", None, None))  # no service takes the rest: 404
    return sorted(locations, key=lambda loc: (loc.modifier != "=", -len(loc.path), loc.path))


def _target(path: str, owner: dict, ports: dict[str, int]) -> tuple[Optional[str], Optional[int]]:
    """The service nginx's own rule picks for `path`: its exact route, else the longest prefix."""
    if ("=", path) in owner:
        name = owner["=", path]
        return name, ports[name]
    prefixes = [(len(p), name) for (modifier, p), name in owner.items()
                if modifier == "" and path.startswith(p)]
    if not prefixes:
        return None, None
    name = max(prefixes)[1]
    return name, ports[name]


def render_nginx(services: tuple[ServiceSettings, ...]) -> str:
    lines = ["server {", "    listen 80 default_server;", "    server_tokens off;",
             "    proxy_set_header Host $host;",
             "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
             "    proxy_set_header X-Forwarded-Proto $scheme;",
             f'    location = {NGINX_HEALTH_PATH} {{ access_log off; return 200 "ok\\n"; }}']
    lines += [location.render() for location in nginx_locations(services)]
    return "\n".join([*lines, "}"])


def docker_run_args(service: ServiceSettings, host_port: Optional[int]) -> list[str]:
    """The service's own `docker run` arguments (the launcher adds the network, the log driver
    and the app's environment to every service): its name on the network, its log stream, its
    limits from `cpu` and `memory`, its callees' URLs and its own environment, its port for nginx
    and its health check."""
    args = ["--name", service.name, "--network-alias", service.name,
            "--label", f"webstack.service={service.name}",
            "--log-opt", f"awslogs-stream={service.name}",
            "--cpus", _cpus(service.cpu), "--memory", f"{service.memory}m"]
    for variable, value in (*service.callee_urls, *service.environment):
        args += ["-e", f"{variable}={value}"]
    for variable, _ in service.secrets:  # the value from the launcher's environment (_case)
        args += ["-e", variable]
    if host_port is not None:
        args += ["-p", f"127.0.0.1:{host_port}:{service.port}"]
    if service.kind != "worker":  # a worker listens to nobody: no HTTP health check
        args += ["--health-cmd", f"curl -fsS http://localhost:{service.port}"
                                 f"{service.health_check_path} || exit 1", *HEALTH_CHECK]
    return args


def _cpus(units: int) -> str:
    return f"{units / CPU_UNITS_PER_VCPU:.4f}".rstrip("0").rstrip(".")


def _case(service: ServiceSettings, host_port: Optional[int]) -> str:
    """The service's branch of the launcher: its secrets read first, each in an assignment of its
    own (a failing read stops the launcher, and systemd retries), then `docker run`."""
    words = ["exec docker run", *_pairs(docker_run_args(service, host_port)),
             '"${common[@]}"', shlex.quote(service.image) + " ;;"]
    lines = [f"    {service.name})"]
    for variable, arn in service.secrets:
        lines.append(f"        {variable}=$(secret {shlex.quote(arn)}); export {variable}")
    line = "       "
    for word in words:
        if len(line) + 1 + len(word) > LINE_WIDTH:
            lines.append(line + " \\")
            line = "       "
        line += " " + word
    return "\n".join([*lines, line])


def _pairs(args: list[str]) -> list[str]:
    """The arguments quoted, each option with its value, so no line breaks between them."""
    words: list[str] = []
    for arg in args:
        if words and words[-1].startswith("-") and " " not in words[-1] \
                and not arg.startswith("-"):
            words[-1] += " " + shlex.quote(arg)
        else:
            words.append(shlex.quote(arg))
    return words


def render_boot_script(args: BootArgs) -> str:
    ports = host_ports(args.services)
    return Template(BOOT_SCRIPT.read_text()).substitute(
        region=args.region, parameter_path=args.parameter_path, log_group=args.log_group,
        nginx_conf=render_nginx(args.services),
        service_cases="\n".join(_case(s, ports.get(s.name)) for s in args.services),
        service_units=" ".join(f"webstack@{s.name}" for s in args.services))
