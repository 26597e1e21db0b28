"""Bootstrap of GitHub Actions access to one AWS account (see Pulumi.yaml and README.md)."""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

# The component lives in the main project's components/ package, one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from pulumi.runtime import config as runtime_config

from components import iam
from components.github_oidc import PERMISSIONS_FILE, GitHubDeployAccess, GitHubDeployAccessArgs
from config.reader import ConfigError, ConfigReader, load_schema

project, schema = load_schema(Path(__file__).with_name("Pulumi.yaml"))
reader = ConfigReader(project, schema, {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()})
repository = reader.string("githubRepository")
account_id = reader.account_id("accountId")
regions = reader.strings("regions")
if not repository:
    reader.problem("githubRepository", repository, "the repository as owner/name")
if account_id is None:
    reader.problem("accountId", "", "the 12-digit id of the account to bootstrap")
args = None
if not reader.problems:
    try:
        args = GitHubDeployAccessArgs(
            repository=repository,
            account_id=account_id,
            regions=regions,
            deploy_environments=reader.strings("deployEnvironments"),
            pull_request_previews=reader.boolean("pullRequestPreviews"),
            trusted_preview_role_arns=reader.strings("trustedPreviewRoleArns"),
            trusted_deploy_role_arns=reader.strings("trustedDeployRoleArns"),
            consumer_account_ids=reader.strings("consumerAccountIds"),
            principal_org_id=reader.string("organizationId") or None,
            existing_oidc_provider_arn=reader.string("existingOidcProviderArn") or None,
        )
    except ValueError as err:  # the component's own checks, e.g. a malformed trusted role ARN
        reader.problem("(bootstrap settings)", repository, str(err))
if reader.problems:
    raise ConfigError(pulumi.get_stack(), reader.problems)

provider = aws.Provider(
    "account",
    region=regions[0],
    allowed_account_ids=[account_id],
    default_tags=aws.ProviderDefaultTagsArgs(
        tags={"Project": "blueprints", "Stack": pulumi.get_stack(), "Architecture": "ci-access"}
    ),
)
access = GitHubDeployAccess("github", args, opts=pulumi.ResourceOptions(provider=provider))


def service_role_statements(account: str) -> list[iam.Statement]:
    """The conditional IAM grants of permissions.yaml's ``service_roles`` section."""
    table = yaml.safe_load(PERMISSIONS_FILE.read_text()).get("service_roles") or {}
    statements = []
    project_roles = f"arn:aws:iam::{account}:role{iam.ROLE_PATH}*"
    if table.get("project_role_actions"):
        statements.append(iam.statement([f"iam:{a}" for a in table["project_role_actions"]], [project_roles]))
    if table.get("pass_role_to"):
        statements.append(
            iam.statement(
                ["iam:PassRole"],
                [project_roles],
                conditions={"StringEquals": {"iam:PassedToService": list(table["pass_role_to"])}},
            )
        )
    if table.get("service_linked_roles"):
        statements.append(
            iam.statement(
                ["iam:CreateServiceLinkedRole"],
                [
                    f"arn:aws:iam::{account}:role/aws-service-role/{service}/*"
                    for service in table["service_linked_roles"]
                ],
                conditions={"StringEquals": {"iam:AWSServiceName": list(table["service_linked_roles"])}},
            )
        )
    return statements


extra = service_role_statements(account_id)
if extra:
    aws.iam.RolePolicy(
        "github-deploy-service-roles",
        role=access.deploy_role.id,
        policy=iam.policy_document(extra),
        opts=pulumi.ResourceOptions(provider=provider),
    )
pulumi.export("deployRoleArn", access.deploy_role.arn)
pulumi.export("previewRoleArn", access.preview_role.arn if access.preview_role else None)
