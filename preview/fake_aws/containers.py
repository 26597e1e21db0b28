"""ECS and ECR."""

from __future__ import annotations

from .registry import Ctx, aws_type


@aws_type("aws:ecs/cluster:Cluster", name="name", max_name=255)
def _ecs_cluster(c: Ctx):
    arn = c.arn("ecs", f"cluster/{c.physical_name}")
    return arn, {"arn": arn}


@aws_type("aws:ecs/taskDefinition:TaskDefinition")
def _ecs_task_definition(c: Ctx):
    family = c.get("family", c.name)
    base = c.arn("ecs", f"task-definition/{family}")
    return family, {"arn": f"{base}:1", "arnWithoutRevision": base, "revision": 1}


@aws_type("aws:ecs/service:Service", name="name", max_name=255)
def _ecs_service(c: Ctx):
    cluster = str(c.get("cluster", "default")).split("/")[-1]
    arn = c.arn("ecs", f"service/{cluster}/{c.physical_name}")
    return arn, {"arn": arn}


@aws_type("aws:ecr/repository:Repository", name="name", max_name=256)
def _ecr_repository(c: Ctx):
    name = c.physical_name.lower()
    return name, {
        "arn": c.arn("ecr", f"repository/{name}"),
        "registryId": c.account,
        "repositoryUrl": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{name}",
    }


@aws_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
@aws_type("aws:ecr/repositoryPolicy:RepositoryPolicy")
def _ecr_side(c: Ctx):
    return c.get("repository", c.name), {"registryId": c.account}
