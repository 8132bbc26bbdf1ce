"""A small plan estimated by hand, unpriced types listed with counts, usage assumptions checked."""
import json
from pathlib import Path

import pytest

from cost import Resource, UsageError, estimate, load_usage
from cost.model import FREE, NOT_PRICED
from cost.usage import USAGE_KEYS, usage_from

ROOT = Path(__file__).resolve().parents[2]

SMALL_PLAN = [
    Resource("aws:ec2/vpc:Vpc", "vpc", {}),
    Resource("aws:ec2/instance:Instance", "web", {"instanceType": "t3.micro",
                                                  "rootBlockDevice": {"volumeType": "gp3", "volumeSize": 20}}),
    Resource("aws:ec2/eip:Eip", "web-ip", {}),
    Resource("aws:ec2/natGateway:NatGateway", "nat", {}),
    Resource("aws:lb/loadBalancer:LoadBalancer", "alb", {"loadBalancerType": "application"}),
    Resource("aws:ecs/taskDefinition:TaskDefinition", "task", {"cpu": "512", "memory": "1024",
                                                               "requiresCompatibilities": ["FARGATE"]}),
    Resource("aws:ecs/service:Service", "svc", {"name": "svc", "desiredCount": 2, "taskDefinition": "task"}),
    Resource("aws:iam/role:Role", "role", {}),
    Resource("pulumi:providers:aws", "aws", {"region": "ap-northeast-2"}),
]
USAGE = usage_from({"natDataProcessedGb": 10, "albAverageLcu": 1})


def test_a_small_plan_costs_what_the_hand_computation_says():
    # By hand, Seoul prices × 730 h: EC2 0.013×730 = 9.49; gp3 20×0.0912 = 1.824; IPv4 0.005×730 = 3.65;
    # NAT 0.059×730 = 43.07 + 10 GB×0.059 = 0.59; ALB 0.0225×730 = 16.425 + 1 LCU×730×0.008 = 5.84;
    # Fargate 2 tasks × 0.5 vCPU × 730 × 0.04656 = 33.9888 + 2 × 1 GB × 730 × 0.00511 = 7.4606.
    result = estimate(SMALL_PLAN, "ap-northeast-2", USAGE)
    assert result.total == 122.34
    assert result.by_group() == {"Compute": 52.76, "Network": 47.31, "Load balancing": 22.27}
    assert [line.resource for line in result.top(2)] == ["nat", "svc"]


def test_free_resources_are_listed_free_with_a_reason_and_providers_are_skipped():
    result = estimate(SMALL_PLAN, "ap-northeast-2", USAGE)
    free = {line.resource: line.source for line in result.free}
    assert set(free) == {"vpc", "role", "task"} and all(free.values())
    assert "aws" not in {line.resource for line in result.lines}


def test_unpriced_types_are_listed_with_counts_and_left_out_of_the_total():
    plan = SMALL_PLAN + [Resource("aws:rds/instance:Instance", f"db-{n}", {"instanceClass": "db.x1.huge"})
                         for n in range(2)] + [Resource("aws:mq/broker:Broker", "mq", {})]
    result = estimate(plan, "ap-northeast-2", USAGE)
    assert result.total == 122.34 + 2 * 2.62  # their storage is priced (default 20 GB), their hours not
    assert result.unpriced_counts() == {"RDS postgres db.x1.huge single-az instance hours": 2,
                                        "aws:mq/broker:Broker (type not in the estimator)": 1}
    assert all(line.monthly_usd is None for line in result.not_priced)
    assert result.as_data()["notPriced"] == result.unpriced_counts()


def test_a_resource_in_its_own_region_is_priced_there():
    nat = [Resource("aws:ec2/natGateway:NatGateway", "nat", {}, region="us-east-1")]
    assert estimate(nat, "ap-northeast-2", usage_from({"natDataProcessedGb": 0})).total == round(0.045 * 730, 2)


def test_an_unknown_region_prices_nothing_rather_than_zero():
    result = estimate(SMALL_PLAN, "eu-west-9", USAGE)
    assert result.total == 0 and len(result.not_priced) > 5


def test_every_usage_key_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{key}`" in readme for key in USAGE_KEYS)


def test_bad_usage_names_the_key_the_value_and_what_is_allowed():
    with pytest.raises(UsageError) as error:
        usage_from({"natGb": 1, "albAverageLcu": -1, "ecrStorageGb": "2"}, "cost/usage/x.json")
    message = str(error.value)
    assert "cost/usage/x.json" in message and "natGb is not a usage key; allowed: cdnDataTransferGb" in message
    assert 'albAverageLcu = -1 is not valid; allowed: a number ≥ 0' in message and 'ecrStorageGb = "2"' in message


def test_a_stack_without_a_usage_file_gets_the_defaults_and_a_broken_file_is_refused(tmp_path):
    assert load_usage("nosuch", tmp_path).values == {k: spec.default for k, spec in USAGE_KEYS.items()}
    (tmp_path / "bad.json").write_text("[1]")
    with pytest.raises(UsageError, match="a JSON object"):
        load_usage("bad", tmp_path)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_stacks_usage_file_is_valid(stack):
    assert load_usage(stack).source == f"cost/usage/{stack}.json"
    assert set(json.loads((ROOT / "cost" / "usage" / f"{stack}.json").read_text())) <= set(USAGE_KEYS)


def test_ties_are_ordered_by_name_whatever_the_registration_order():
    nats = [Resource("aws:ec2/natGateway:NatGateway", name, {}) for name in ("nat-c", "nat-a", "nat-b")]
    forward = estimate(nats, "ap-northeast-2", usage_from({"natDataProcessedGb": 0}))
    backward = estimate(nats[::-1], "ap-northeast-2", usage_from({"natDataProcessedGb": 0}))
    assert [l.resource for l in forward.top(3)] == [l.resource for l in backward.top(3)] == ["nat-a", "nat-b", "nat-c"]
