"""Usage assumptions of the estimate: what a price depends on that no resource input says.

Each is a policy config key of ``monthly-cost-estimate`` (and of ``cost-stack-monthly-budget``,
which reuses that estimate), so a stack overrides them in ``config/<stack>.json`` or with
``--policy-pack-config``. ``resourceUsage`` overrides any of them for one resource, by its name.
"""

from __future__ import annotations

from .config import Option, option

GPU_FAMILIES = ["g3", "g3s", "g4dn", "g4ad", "g5", "g5g", "g6", "g6e", "gr6", "p3", "p4d", "p5"]

ASSUMPTIONS: dict[str, Option] = {
    "workstationHoursPerMonth": option(
        40.0, "Hours a month each GPU instance (the gaming workstation) runs: the played hours.", minimum=0, maximum=744),
    "instanceHoursPerMonth": option(730.0, "Hours a month every other EC2 instance runs.", minimum=0, maximum=744),
    "gpuInstanceFamilies": option(GPU_FAMILIES, "Instance families priced by played hours, not all month."),
    "spotPriceFraction": option(
        0.35, "Spot price (EC2 and Fargate Spot) as a fraction of on-demand; the range spans 0.1 to 1.0.",
        minimum=0.05, maximum=1),
    "defaultRootVolumeGb": option(30.0, "Root volume size (GB) when it comes from the AMI and no input says.", minimum=1),
    "eventsPerMonth": option(1_000_000.0, "Custom events published to each event bus a month.", minimum=0),
    "eventArchiveGbPerMonth": option(0.5, "GB of events each archive takes in a month.", minimum=0),
    "apiDestinationInvocationsPerMonth": option(100_000.0, "Invocations of each API destination a month.", minimum=0),
    "lambdaRequestsPerMonth": option(1_000_000.0, "Invocations of each Lambda function a month.", minimum=0),
    "lambdaAverageDurationMs": option(200.0, "Average Lambda invocation duration in ms.", minimum=0),
    "apiRequestsPerMonth": option(1_000_000.0, "Requests to each API Gateway stage a month.", minimum=0),
    "logIngestGbPerMonth": option(1.0, "GB ingested into each CloudWatch log group a month.", minimum=0),
    "natGatewayGbPerMonth": option(10.0, "GB processed by each NAT gateway a month.", minimum=0),
    "vpcEndpointGbPerMonth": option(5.0, "GB processed by each interface VPC endpoint a month.", minimum=0),
    "transitGatewayGbPerMonth": option(10.0, "GB sent through each transit gateway VPC attachment a month.", minimum=0),
    "loadBalancerCapacityUnits": option(1.0, "Average LCUs (ALB) or NLCUs (NLB) per load balancer.", minimum=0),
    "auroraAverageAcu": option(
        1.0, "Average ACUs of each Aurora Serverless v2 instance (kept within its min and max capacity).", minimum=0),
    "auroraStorageGb": option(20.0, "GB stored by each Aurora cluster.", minimum=0),
    "auroraIoMillionsPerMonth": option(10.0, "Million I/O requests of each Aurora Standard cluster a month.", minimum=0),
    "kinesisGbPerMonth": option(5.0, "GB written to each Kinesis stream a month.", minimum=0),
    "kinesisRecordsPerMonth": option(5_000_000.0, "Records (PUT payload units) written to each Kinesis stream a month.",
                                     minimum=0),
    "kinesisConsumers": option(1.0, "Shared-throughput consumers reading each on-demand Kinesis stream.", minimum=0),
    "opensearchWarmGb": option(100.0, "GB in UltraWarm storage of each domain with UltraWarm on.", minimum=0),
    "opensearchColdGb": option(100.0, "GB in cold storage of each domain with cold storage on.", minimum=0),
    "dynamodbWritesPerMonth": option(1_000_000.0, "Write request units of each on-demand table a month.", minimum=0),
    "dynamodbReadsPerMonth": option(1_000_000.0, "Read request units of each on-demand table a month.", minimum=0),
    "dynamodbStorageGb": option(1.0, "GB stored in each DynamoDB table.", minimum=0),
    "sqsRequestsPerMonth": option(1_000_000.0, "Requests to each SQS queue a month.", minimum=0),
    "snsPublishesPerMonth": option(100_000.0, "Publishes to each SNS topic a month.", minimum=0),
    "secretsApiCallsPerMonth": option(10_000.0, "API calls to each secret a month.", minimum=0),
    "kmsRequestsPerMonth": option(10_000.0, "Requests to each KMS key a month.", minimum=0),
    "s3StorageGb": option(5.0, "GB stored in each S3 bucket.", minimum=0),
    "ecrStorageGb": option(1.0, "GB of images in each ECR repository.", minimum=0),
    "regionFallbackMargin": option(
        0.25, "When a Region has no prices in the table, us-east-1 prices are used and the high bound is "
              "raised by this fraction.", minimum=0),
    "defaultRegion": option("us-east-1", "Region assumed for a resource whose provider, input and ARN name none."),
    "resourceUsage": option(
        {}, "Per-resource overrides of the assumptions above, by resource name: "
            "{\"lease-api\": {\"lambdaRequestsPerMonth\": 200000}}.", type="object"),
}
