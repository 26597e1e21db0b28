"""Architecture B: private REST APIs consumed across accounts, and the three consumer patterns.

A producer account publishes a private REST API (`PrivateApi`). Consumers reach it only through an
execute-api interface endpoint in their own VPC (`PrivateApiConsumer`); the API's resource policy
names the endpoints that may call it (`aws:SourceVpce`). Three ways to consume it:

1. `RegionalFrontDoor`: a Regional (public) REST API → VPC link → internal NLB → IP targets on the
   consumer endpoint's ENI addresses, health-checked on API Gateway's reserved `/ping`.
2. `VpcLambdaCaller`: a Lambda function in the consumer VPC calling the API through the endpoint.
3. `MtlsProxy` + `MtlsClientEndpoint`: NGINX on Fargate in the producer account verifies client
   certificates and forwards to the API through the proxy VPC's own execute-api endpoint; consumers
   reach it through a VPC endpoint service (PrivateLink). TLS material comes from Secrets Manager /
   SSM at task start (see `components/mtls_proxy`).

`CrossAccountPrivateApi` wires them in the order the references need: endpoints first (their IDs
go in the API's allow-list), then the API, then the patterns (they need the API's ID).
"""

# The package's public names: one module per component (see each module), and what the two-Region
# API (components/resilient_api.py) reuses.
from components.private_api.account_logging import ApiGatewayLogging, ApiGatewayLoggingArgs
from components.private_api.consumer import (
    PrivateApiConsumer,
    PrivateApiConsumerArgs,
    endpoint_ip_targets,
    forward_to_endpoint,
)
from components.private_api.cross_account import CrossAccountPrivateApi, CrossAccountPrivateApiArgs
from components.private_api.front_door import RegionalFrontDoor, RegionalFrontDoorArgs
from components.private_api.mtls import (
    MtlsClientEndpoint,
    MtlsClientEndpointArgs,
    MtlsProxy,
    MtlsProxyArgs,
    material_source,
)
from components.private_api.producer import PrivateApi, PrivateApiArgs
from components.private_api.shared import (
    ACCESS_LOG_FORMAT,
    AWS_CLI_IMAGE,
    HTTPS,
    NGINX_IMAGE,
    PING_PATH,
    check_log_retention,
    check_throttle,
    endpoint_policy,
    execute_api_host,
    logged_throttled_stage,
    resource_policy,
)
from components.private_api.vpc_lambda import VpcLambdaCaller, VpcLambdaCallerArgs
from components.rules.private_api import PATTERN_FRONT_DOOR, PATTERN_MTLS_PROXY, PATTERN_VPC_LAMBDA, PATTERNS
