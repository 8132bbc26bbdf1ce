"""Services call each other by name through ECS Service Connect: a Cloud Map namespace on the
cluster, listening services discoverable as themselves, each caller told its callees' URLs, and
security groups that still admit exactly the declared calls on the ports the proxies use."""
import json

import preflight
from tests.app.conftest import FOUR_SERVICES
from tests.support import ingress_of, named

NAMESPACE = "aws:servicediscovery/httpNamespace:HttpNamespace"
CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
SG = "aws:ec2/securityGroup:SecurityGroup"
PORTS = {"web": 80, "api": 80, "auth": 8080, "jobs": 80}


def container(plan, name: str) -> dict:
    [definition] = json.loads(named(plan, TASK, f"{name}-task").inputs["containerDefinitions"])
    return definition


def connect(plan, name: str) -> dict:
    return named(plan, SERVICE, f"{name}-service").inputs["serviceConnectConfiguration"]


def test_the_cluster_holds_one_namespace_every_service_joins(four_services):
    namespace = four_services.one(NAMESPACE)
    assert namespace.inputs["name"] == "webstack-staging"
    arn = namespace.outputs["arn"]
    assert four_services.one(CLUSTER).inputs["serviceConnectDefaults"] == {"namespace": arn}
    for name in FOUR_SERVICES:
        config = connect(four_services, name)
        assert (config["enabled"], config["namespace"]) == (True, arn)
        assert config["logConfiguration"]["options"]["awslogs-stream-prefix"] == "service-connect"


def test_listening_services_are_found_by_their_own_name_and_workers_only_call(four_services):
    for name in ("web", "api", "auth"):
        [entry] = connect(four_services, name)["services"]
        assert entry == {"portName": name, "discoveryName": name,
                         "clientAlias": [{"port": PORTS[name], "dnsName": name}]}
        assert container(four_services, name)["portMappings"] == [
            {"containerPort": PORTS[name], "protocol": "tcp", "name": name, "appProtocol": "http"}]
    assert "services" not in connect(four_services, "jobs")
    # A worker listens to nobody: no port, and no HTTP health check ECS would fail it on.
    assert "portMappings" not in container(four_services, "jobs")
    assert "healthCheck" not in container(four_services, "jobs")
    assert "curl" in container(four_services, "auth")["healthCheck"]["command"][1]


def test_each_caller_gets_the_urls_of_exactly_its_callees(four_services):
    def urls(name):
        return {e["name"]: e["value"] for e in container(four_services, name)["environment"]
                if e["name"].endswith("_URL")}
    assert urls("web") == {"API_URL": "http://api:80"}
    assert urls("api") == {"AUTH_URL": "http://auth:8080"}
    assert urls("jobs") == {"API_URL": "http://api:80", "AUTH_URL": "http://auth:8080"}
    assert urls("auth") == {}


def test_the_groups_admit_exactly_the_declared_calls_on_the_proxys_port(four_services):
    """The callee's proxy listens on its containerPort, which the caller's proxy connects to:
    each listening service's group admits that port from its callers (and the ALB when routed),
    nothing else."""
    plan = four_services
    group_of = {name: named(plan, SG, f"webstack-staging-svc-{name}") for name in FOUR_SERVICES}
    alb = [g for g in plan.of_type(SG) if g.inputs["tags"].get("Role") == "edge"]
    sources = {g.id: name for name, g in group_of.items()} | {g.id: "alb" for g in alb}
    for name, group in group_of.items():
        admitted = {(sources[rule.inputs["referencedSecurityGroupId"]], rule.inputs["fromPort"],
                     rule.inputs["toPort"]) for rule in ingress_of(plan, group)}
        callers = {caller for caller, spec in FOUR_SERVICES.items()
                   if name in spec.get("dependsOn", [])}
        expected = {(caller, PORTS[name], PORTS[name]) for caller in callers}
        if FOUR_SERVICES[name].get("routes"):
            expected.add(("alb", PORTS[name], PORTS[name]))
        assert admitted == expected, name


def test_the_plan_passes_preflight_with_the_proxies_share(four_services):
    assert preflight.check(four_services) == []


def test_a_caller_deploys_after_its_callees(four_services):
    """Its new tasks resolve only the endpoints that exist when they start (AWS: deploy the
    client-server first)."""
    urn = {name: named(four_services, SERVICE, f"{name}-service").urn for name in FOUR_SERVICES}
    for name, spec in FOUR_SERVICES.items():
        waits_for = set(named(four_services, SERVICE, f"{name}-service").dependencies)
        assert {urn[callee] for callee in spec.get("dependsOn", [])} <= waits_for, name
        assert not {urn[other] for other in FOUR_SERVICES
                    if other not in spec.get("dependsOn", [])} & waits_for, name


def test_mutual_callers_are_ordered_by_name_without_a_cycle():
    from config.settings import ServiceSettings
    from tiers.scaled import call_order

    def service(name, *callees):
        return ServiceSettings(image="x", port=80, cpu=256, memory=512, min_tasks=1,
                               desired_tasks=1, max_tasks=1, cpu_target=70, name=name,
                               depends_on=callees)
    order = call_order((service("a", "b"), service("b", "a"), service("c", "a"), service("d")))
    assert [s.name for s in order] == ["b", "a", "c", "d"]
