"""Service Connect's preflight rules, each shown firing on a broken plan."""
import json

from preflight import ecs
from preflight.model import ERROR, WARNING
from tests.preflight.broken import plan, resource

def task(port_name="api", cpu="512", memory="1024", name="api-task"):
    mapping = {"containerPort": 80, **({"name": port_name} if port_name else {})}
    inputs = {"cpu": cpu, "containerDefinitions": json.dumps([{"portMappings": [mapping]}]),
              **({"memory": memory} if memory else {})}
    return resource(ecs.TASK_DEFINITION, name, inputs)

def service(name="api", entry=None, task_name="api-task", **inputs):
    entry = entry if entry is not None else {
        "portName": "api", "discoveryName": "api", "clientAlias": [{"port": 80, "dnsName": "api"}]}
    config = {"enabled": True, "namespace": "arn:ns", "services": [entry] if entry else []}
    return resource(ecs.SERVICE, f"{name}-service", {"serviceConnectConfiguration": config,
                                                     "platformVersion": "LATEST", **inputs},
                    property_dependencies={"taskDefinition": (
                        f"urn:pulumi:test::webstack::{ecs.TASK_DEFINITION}::{task_name}",)})

def test_a_well_formed_service_connect_plan_passes():
    good = plan(task(), service())
    assert [rule(good) for rule in (ecs.service_connect_names, ecs.service_connect_unique_names,
                                    ecs.service_connect_supported,
                                    ecs.service_connect_proxy_share)] == [[], [], [], []]

def test_names_ecs_refuses_are_found():
    long_name = "a" * 65
    broken = plan(task(port_name="Api"), service(entry={
        "portName": "web", "discoveryName": long_name,
        "clientAlias": [{"port": 80, "dnsName": "-api"}, {"port": 81, "dnsName": "api2"}]}))
    messages = [f.message for f in ecs.service_connect_names(broken)]
    assert messages == [
        "port mapping name 'Api': 1 to 64 lower-case letters, digits, _ or -",
        f"discoveryName '{long_name}': 1 to 64 lower-case letters, digits, _ or -, not starting "
        "with -",
        "2 client aliases; allowed: at most 1",
        "client alias '-api': 1 to 127 lower-case letters, digits, _, - or ., not starting with -",
        "portName 'web' names no port mapping of its task definition (Api)"]

def test_a_discovery_name_or_endpoint_twice_in_a_namespace_is_found():
    twice = plan(task(), task(name="web-task"), service(),
                 service(name="web", task_name="web-task"))
    assert {f.message for f in ecs.service_connect_unique_names(twice)} == {
        "discovery name 'api' is also api-service's in its namespace",
        "endpoint 'api:80' is also api-service's in its namespace"}

def test_unsupported_controllers_platforms_and_tasks_without_memory_are_found():
    broken = plan(task(memory=None), service(platformVersion="1.3.0",
                                             deploymentController={"type": "CODE_DEPLOY"}))
    found = ecs.service_connect_supported(broken)
    assert [(f.resource, f.message, f.severity) for f in found] == [
        ("api-service", "the CODE_DEPLOY deployment controller", ERROR),
        ("api-service", "Fargate platform 1.3.0; allowed: 1.4.0 or later", ERROR),
        ("api-task", "no task memory", ERROR)]

def test_a_task_of_fargates_smallest_size_leaves_the_proxy_nothing_to_add():
    [warning] = ecs.service_connect_proxy_share(plan(task(cpu="256", memory="512"), service()))
    assert (warning.resource, warning.severity) == ("api-task", WARNING)
    assert "give the service cpu ≥ 512" in warning.message
    without_connect = service()
    inputs = dict(without_connect.inputs, serviceConnectConfiguration={"enabled": False})
    assert ecs.service_connect_proxy_share(plan(task(cpu="256"), resource(
        ecs.SERVICE, "api-service", inputs,
        property_dependencies=without_connect.property_dependencies))) == []
