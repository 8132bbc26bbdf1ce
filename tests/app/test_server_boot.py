"""The MVP boot script from its renderer: nginx locations from the services' routes, most specific
first, one `docker run` per service with its limits, port and the app's environment, valid bash,
and EC2's 16 KB user-data limit firing on a script that grew past it."""
import re
import shlex
import subprocess

from components.app.server_boot import (BootArgs, Location, docker_run_args, host_ports,
                                        nginx_locations, render_boot_script, render_nginx)
from config.settings import ServiceSettings
from preflight import ec2
from tests.preflight.broken import plan, resource

IMAGE = "public.ecr.aws/nginx/nginx:stable"


def service(name, routes=(), kind="web", port=80, cpu=512, memory=256, path="/health"):
    return ServiceSettings(image=IMAGE, port=port, cpu=cpu, memory=memory, min_tasks=1,
                           desired_tasks=1, max_tasks=1, cpu_target=70, name=name, kind=kind,
                           routes=tuple(routes), health_check_path=path)


API = service("api", ["/api/*"], port=3000, cpu=1024, memory=384)
WEB = service("web", ["/*"])
JOBS = service("jobs", kind="worker", cpu=256, memory=128)
SEARCH = service("search", kind="internal", port=9200, path="/ready")
DEV = (API, JOBS, SEARCH, WEB)  # sorted by name, as config/services.py hands them over


def script(services=DEV) -> str:
    return render_boot_script(BootArgs("ap-northeast-2", "/webstack/dev", "/webstack/dev/backend",
                                       services))


def test_nginx_sends_api_paths_to_api_and_the_rest_to_web_most_specific_first():
    """`/api` alone is not in the ALB's `/api/*`: it goes where `/*` sends it, not a 301."""
    ports = host_ports(DEV)
    assert ports == {"api": 8080, "web": 8081}  # internal services and workers take none
    assert nginx_locations(DEV) == [Location("=", "/api", "web", 8081),
                                    Location("", "/api/", "api", 8080),
                                    Location("", "/", "web", 8081)]
    conf = render_nginx(DEV).splitlines()
    assert conf[-4:] == ["    location = /api { proxy_pass http://127.0.0.1:8081; }",
                         "    location /api/ { proxy_pass http://127.0.0.1:8080; }",
                         "    location / { proxy_pass http://127.0.0.1:8081; }", "}"]


def test_exact_routes_the_longest_prefix_and_no_root_service_answer_as_the_alb_would():
    services = (service("admin", ["/api/admin/*"]), service("api", ["/api/*", "/status"]))
    assert nginx_locations(services) == [
        Location("=", "/api/admin", "api", 8081), Location("=", "/status", "api", 8081),
        Location("=", "/api", None, None), Location("", "/api/admin/", "admin", 8080),
        Location("", "/api/", "api", 8081), Location("", "/", None, None)]
    assert "    location / { return 404; }" in render_nginx(services)


def test_each_service_runs_with_its_limits_port_name_log_stream_and_health_check():
    assert docker_run_args(API, 8080) == [
        "--name", "api", "--network-alias", "api", "--label", "webstack.service=api",
        "--log-opt", "awslogs-stream=api", "--cpus", "1", "--memory", "384m",
        "-p", "127.0.0.1:8080:3000",
        "--health-cmd", "curl -fsS http://localhost:3000/health || exit 1",
        "--health-interval", "30s", "--health-timeout", "5s", "--health-retries", "2",
        "--health-start-period", "60s"]
    internal = docker_run_args(SEARCH, None)
    assert "-p" not in internal and "curl -fsS http://localhost:9200/ready || exit 1" in internal
    worker = docker_run_args(JOBS, None)
    assert worker[-4:] == ["--cpus", "0.25", "--memory", "128m"]  # no port, no health check


def test_the_launcher_runs_each_service_with_the_apps_environment():
    text = script()
    launcher = text.split("<<'RUN'\n")[1].split("\nRUN\n")[0]
    common = shlex.split(re.search(r"\ncommon=\((.*?)\)\n", launcher, re.S).group(1))
    assert {"--network", "webstack", "--log-driver", "awslogs", "-e",
            "DATABASE_HOST=$DATABASE_HOST", "REDIS_AUTH_TOKEN",
            "awslogs-group=/webstack/dev/backend"} <= set(common)
    branches = re.findall(r"\n    ([a-z-]+)\)\n\s+(exec docker run .*? ;;)", launcher, re.S)
    assert [name for name, _ in branches] == ["api", "jobs", "search", "web"]
    for (name, command), settings in zip(branches, DEV):
        argv = shlex.split(command.replace("\\\n", " "))
        assert argv == ["exec", "docker", "run",
                        *docker_run_args(settings, host_ports(DEV).get(name)),
                        "${common[@]}", IMAGE, ";;"]
    assert "systemctl enable --now webstack@api webstack@jobs webstack@search webstack@web" in text


def test_the_boot_script_is_valid_bash(tmp_path):
    path = tmp_path / "boot.sh"
    path.write_text(script())
    checked = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_a_script_past_16_kb_is_refused_by_preflight_and_dev_s_is_not():
    many = tuple(service(f"service-name-{n:03d}", [f"/service-{n:03d}/*"]) for n in range(40))
    big, small = script(many), script()
    assert len(big.encode()) > ec2.USER_DATA_MAX_BYTES > len(small.encode())
    [finding] = ec2.user_data_size(plan(resource(ec2.INSTANCE, "backend-instance",
                                                 {"userData": big})))
    assert finding.resource == "backend-instance" and f"{len(big.encode())} bytes" in finding.message
    assert finding.source.endswith("instancedata-add-user-data.html")
    assert ec2.user_data_size(plan(resource(ec2.INSTANCE, "backend-instance",
                                            {"userData": small}))) == []


def test_a_changed_service_set_size_or_image_changes_the_user_data():
    """With userDataReplaceOnChange (tests/app/test_server.py), each of these replaces the
    instance, which then runs the new script at its first boot."""
    changed = [(API, JOBS, SEARCH), (API, JOBS, SEARCH, service("web", ["/*"], memory=300)),
               (API, JOBS, SEARCH, ServiceSettings(**{**WEB.__dict__, "image": "nginx:1"}))]
    assert len({script(), *(script(services) for services in changed)}) == 4


def test_the_app_sees_the_scaled_tiers_variables_so_it_moves_tiers_unchanged():
    """The same names as tiers/scaled.py's app_environment and app_secrets."""
    import inspect

    from tiers import scaled
    launcher = script().split("<<'RUN'\n")[1].split("\nRUN\n")[0]
    common = shlex.split(re.search(r"\ncommon=\((.*?)\)\n", launcher, re.S).group(1))
    given = {arg.split("=")[0] for before, arg in zip(common, common[1:]) if before == "-e"}
    source = inspect.getsource(scaled.app_environment) + inspect.getsource(scaled.app_secrets)
    assert given - {"AWS_REGION"} == set(re.findall(r'"([A-Z_]+)": ', source))


def test_a_services_environment_is_given_and_its_secrets_read_at_start(tmp_path):
    secret = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:stripe-AbCdEf"
    api = ServiceSettings(**{**API.__dict__, "environment": (("LOG_LEVEL", "debug"),),
                             "secrets": (("STRIPE_KEY", secret),)})
    text = script((api, WEB))
    branch = text.split("\n    api)\n", 1)[1].split(";;", 1)[0]
    assert branch.startswith(f"        STRIPE_KEY=$(secret {secret}); export STRIPE_KEY\n")
    argv = shlex.split(branch.split("\n", 1)[1].replace("\\\n", " "))
    assert "LOG_LEVEL=debug" in argv and argv[argv.index("STRIPE_KEY") - 1] == "-e"
    assert secret not in branch.split("\n", 1)[1]  # the value, not the ARN, reaches the container
    path = tmp_path / "boot.sh"
    path.write_text(text)
    assert subprocess.run(["bash", "-n", str(path)]).returncode == 0
