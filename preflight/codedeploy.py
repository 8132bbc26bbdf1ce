"""CodeDeploy: names, the alarms a deployment group may watch, and deployment configs a Lambda
deployment group can use."""
from __future__ import annotations

from typing import Optional

from preflight.model import cites, found, known, name_problems
from preview.plan import Plan, PlannedResource

APPLICATION = "aws:codedeploy/application:Application"
DEPLOYMENT_GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
DEPLOYMENT_CONFIG = "aws:codedeploy/deploymentConfig:DeploymentConfig"
# The API model, read in the installed botocore 1.43.127 (codedeploy/2014-10-06/service-2.json):
# DeploymentGroupName and ApplicationName 1-100 of [A-Za-z0-9+=,.@_-]; "A maximum of 10 alarms".
BOTOCORE_CODEDEPLOY = ("https://github.com/boto/botocore/blob/develop/botocore/data/codedeploy/2014-10-06/"
                       "service-2.json")
NAME = r"[A-Za-z0-9+=,.@_-]+"
MOST_ALARMS = 10
# The predefined configurations for the AWS Lambda compute platform (CodeDeploy user guide, "Working
# with deployment configurations", its Lambda table; the same nine in AWS CDK's LambdaDeploymentConfig).
LAMBDA_CONFIGS = ("CodeDeployDefault.LambdaAllAtOnce",
                  *(f"CodeDeployDefault.LambdaCanary10Percent{m}Minutes" for m in (5, 10, 15, 30)),
                  "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
                  *(f"CodeDeployDefault.LambdaLinear10PercentEvery{m}Minutes" for m in (2, 3, 10)))


@cites(BOTOCORE_CODEDEPLOY)
def deployment_group_names(plan: Plan) -> list:
    """Application and deployment group names: 1 to 100 of letters, digits and +=,.@_-."""
    findings = []
    for resource, key in [(a, "name") for a in plan.of_type(APPLICATION)] + [
            (g, k) for g in plan.of_type(DEPLOYMENT_GROUP) for k in ("deploymentGroupName", "appName")]:
        name = resource.inputs.get(key)
        if isinstance(name, str) and known(name):
            findings += [found(deployment_group_names, resource, p)
                         for p in name_problems(name, most=100, pattern=NAME, what=key)]
    return findings


@cites(BOTOCORE_CODEDEPLOY)
def deployment_group_alarms(plan: Plan) -> list:
    """At most 10 alarms in a deployment group's alarm configuration."""
    findings = []
    for group in plan.of_type(DEPLOYMENT_GROUP):
        alarms = (group.inputs.get("alarmConfiguration") or {}).get("alarms") or []
        if isinstance(alarms, list) and len(alarms) > MOST_ALARMS:
            findings.append(found(deployment_group_alarms, group, f"{len(alarms)} alarms; allowed: at most "
                                  f"{MOST_ALARMS}"))
    return findings


def _application(plan: Plan, group: PlannedResource) -> Optional[PlannedResource]:
    sources = set(group.property_dependencies.get("appName", ()))
    name = group.inputs.get("appName")
    return next((app for app in plan.of_type(APPLICATION)
                 if app.urn in sources or (known(name) and app.inputs.get("name") == name)), None)


def _custom_lambda_config(plan: Plan, group: PlannedResource, name: str) -> bool:
    sources = set(group.property_dependencies.get("deploymentConfigName", ()))
    return any(config.inputs.get("computePlatform") == "Lambda"
               and (config.urn in sources or config.inputs.get("deploymentConfigName") == name)
               for config in plan.of_type(DEPLOYMENT_CONFIG))


@cites("https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html")
def lambda_deployment_configs(plan: Plan) -> list:
    """A deployment group of a Lambda application uses a predefined CodeDeployDefault.Lambda*
    config or a custom one of the Lambda compute platform (never OneAtATime, the default)."""
    findings = []
    for group in plan.of_type(DEPLOYMENT_GROUP):
        app = _application(plan, group)
        if app is None or app.inputs.get("computePlatform") != "Lambda":
            continue
        name = group.inputs.get("deploymentConfigName") or "CodeDeployDefault.OneAtATime (the default)"
        if known(name) and name not in LAMBDA_CONFIGS and not _custom_lambda_config(plan, group, name):
            findings.append(found(lambda_deployment_configs, group, f"deploymentConfigName {name} is not a "
                                  f"Lambda config; predefined: {', '.join(LAMBDA_CONFIGS)}"))
    return findings


RULES = [deployment_group_names, deployment_group_alarms, lambda_deployment_configs]
