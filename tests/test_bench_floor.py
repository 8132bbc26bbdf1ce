"""The benchmark's floor imports every resource class a plan registers, not `pulumi_aws` alone."""
import importlib.util
import sys

from preview.engine import REPO_ROOT

spec = importlib.util.spec_from_file_location("preview_bench", REPO_ROOT / "bench" / "preview_bench.py")
bench = importlib.util.module_from_spec(spec)
sys.modules["preview_bench"] = bench  # its dataclasses look their module up
spec.loader.exec_module(bench)


def test_a_resource_type_becomes_the_import_of_its_class():
    assert bench.class_import("aws:ec2/vpc:Vpc") == "from pulumi_aws.ec2 import Vpc"
    assert bench.class_import("aws:lb/targetGroup:TargetGroup") == "from pulumi_aws.lb import TargetGroup"
    assert bench.class_import("random:index/randomPassword:RandomPassword") == \
        "from pulumi_random import RandomPassword"
    assert bench.class_import("pulumi:providers:aws") == "from pulumi_aws import Provider"
    # a module named after a Python keyword (the serverless examples' functions)
    assert bench.class_import("aws:lambda/function:Function") == "from pulumi_aws.lambda_ import Function"


def test_the_programs_own_component_types_are_not_part_of_the_floor():
    assert bench.class_import("webstack:network:Network") is None


def test_every_class_the_dev_plan_registers_is_in_the_floor(dev_plan):
    imports = {bench.class_import(r.type) for r in dev_plan.resources} - {None}
    assert "from pulumi_aws.rds import Instance" in imports
    classes = {line.rsplit(" ", 1)[1] for line in imports}
    assert {r.type.rsplit(":", 1)[1] for r in dev_plan.resources if r.custom} <= classes | {"aws"}
