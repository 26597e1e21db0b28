"""Bootstrap of GitHub Actions access to one AWS account (see Pulumi.yaml and README.md)."""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

# The component lives in the main project's components/ package, one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi.runtime import config as runtime_config

from components.github_oidc import GitHubDeployAccess, GitHubDeployAccessArgs
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

pulumi.export("deployRoleArn", access.deploy_role.arn)
pulumi.export("previewRoleArn", access.preview_role.arn if access.preview_role else None)
