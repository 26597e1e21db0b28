"""Which CloudFormation resource type describes the same AWS resource as each Pulumi AWS type.

Pulumi's AWS provider (bridged from hashicorp/terraform-provider-aws) calls the same service APIs as
the CloudFormation handlers of the matching type; their declared permissions
(``cfn_handler_permissions.json``) are the best published list of what a create, update or delete
needs. A Pulumi type whose calls CloudFormation folds into another type maps to that type (a rule's
targets to ``AWS::Events::Rule``); one with no CloudFormation counterpart lists its actions in
``DIRECT_ACTIONS`` instead.
"""

from __future__ import annotations

CLOUDFORMATION_TYPES: dict[str, list[str]] = {
    "aws:acm/certificate:Certificate": ["AWS::CertificateManager::Certificate"],
    "aws:acm/certificateValidation:CertificateValidation": [],
    "aws:apigateway/account:Account": ["AWS::ApiGateway::Account"],
    "aws:apigateway/basePathMapping:BasePathMapping": ["AWS::ApiGateway::BasePathMapping"],
    "aws:apigateway/deployment:Deployment": ["AWS::ApiGateway::Deployment"],
    "aws:apigateway/domainName:DomainName": ["AWS::ApiGateway::DomainName"],
    "aws:apigateway/integration:Integration": ["AWS::ApiGateway::Method"],
    "aws:apigateway/method:Method": ["AWS::ApiGateway::Method"],
    "aws:apigateway/methodSettings:MethodSettings": ["AWS::ApiGateway::Stage"],
    "aws:apigateway/resource:Resource": ["AWS::ApiGateway::Resource"],
    "aws:apigateway/restApi:RestApi": ["AWS::ApiGateway::RestApi"],
    "aws:apigateway/restApiPolicy:RestApiPolicy": ["AWS::ApiGateway::RestApi"],
    "aws:apigateway/stage:Stage": ["AWS::ApiGateway::Stage"],
    "aws:apigateway/vpcLink:VpcLink": ["AWS::ApiGateway::VpcLink"],
    "aws:budgets/budget:Budget": ["AWS::Budgets::Budget"],
    "aws:cloudwatch/eventApiDestination:EventApiDestination": ["AWS::Events::ApiDestination"],
    "aws:cloudwatch/eventArchive:EventArchive": ["AWS::Events::Archive"],
    "aws:cloudwatch/eventBus:EventBus": ["AWS::Events::EventBus"],
    "aws:cloudwatch/eventConnection:EventConnection": ["AWS::Events::Connection"],
    "aws:cloudwatch/eventEndpoint:EventEndpoint": ["AWS::Events::Endpoint"],
    "aws:cloudwatch/eventRule:EventRule": ["AWS::Events::Rule"],
    "aws:cloudwatch/eventTarget:EventTarget": ["AWS::Events::Rule"],
    "aws:cloudwatch/logGroup:LogGroup": ["AWS::Logs::LogGroup"],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ["AWS::Logs::ResourcePolicy"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["AWS::CloudWatch::Alarm"],
    "aws:dynamodb/table:Table": ["AWS::DynamoDB::Table"],
    "aws:ec2/eip:Eip": ["AWS::EC2::EIP"],
    "aws:ec2/instance:Instance": ["AWS::EC2::Instance"],
    "aws:ec2/internetGateway:InternetGateway": ["AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["AWS::EC2::LaunchTemplate"],
    "aws:ec2/natGateway:NatGateway": ["AWS::EC2::NatGateway"],
    "aws:ec2/route:Route": ["AWS::EC2::Route"],
    "aws:ec2/routeTable:RouteTable": ["AWS::EC2::RouteTable"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["AWS::EC2::SubnetRouteTableAssociation"],
    "aws:ec2/securityGroup:SecurityGroup": ["AWS::EC2::SecurityGroup"],
    "aws:ec2/subnet:Subnet": ["AWS::EC2::Subnet"],
    "aws:ec2/vpc:Vpc": ["AWS::EC2::VPC"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["AWS::EC2::VPCEndpoint"],
    "aws:ec2/vpcEndpointService:VpcEndpointService": [
        "AWS::EC2::VPCEndpointService",
        "AWS::EC2::VPCEndpointServicePermissions",
    ],
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ["AWS::EC2::VPCPeeringConnection"],
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": [],
    "aws:ecs/cluster:Cluster": ["AWS::ECS::Cluster"],
    "aws:ecs/service:Service": ["AWS::ECS::Service"],
    "aws:ecs/taskDefinition:TaskDefinition": ["AWS::ECS::TaskDefinition"],
    "aws:iam/instanceProfile:InstanceProfile": ["AWS::IAM::InstanceProfile"],
    "aws:iam/role:Role": ["AWS::IAM::Role"],
    "aws:iam/rolePolicy:RolePolicy": ["AWS::IAM::RolePolicy"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [],
    "aws:kinesis/stream:Stream": ["AWS::Kinesis::Stream"],
    "aws:kms/alias:Alias": ["AWS::KMS::Alias"],
    "aws:kms/key:Key": ["AWS::KMS::Key"],
    "aws:lambda/alias:Alias": ["AWS::Lambda::Alias"],
    "aws:lambda/eventSourceMapping:EventSourceMapping": ["AWS::Lambda::EventSourceMapping"],
    "aws:lambda/function:Function": ["AWS::Lambda::Function"],
    "aws:lambda/invocation:Invocation": [],
    "aws:lambda/permission:Permission": ["AWS::Lambda::Permission"],
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": [],
    "aws:lb/listener:Listener": ["AWS::ElasticLoadBalancingV2::Listener"],
    "aws:lb/loadBalancer:LoadBalancer": ["AWS::ElasticLoadBalancingV2::LoadBalancer"],
    "aws:lb/targetGroup:TargetGroup": ["AWS::ElasticLoadBalancingV2::TargetGroup"],
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": [],
    "aws:opensearch/domain:Domain": ["AWS::OpenSearchService::Domain"],
    "aws:opensearch/domainPolicy:DomainPolicy": [],
    "aws:rds/cluster:Cluster": ["AWS::RDS::DBCluster"],
    "aws:rds/clusterInstance:ClusterInstance": ["AWS::RDS::DBInstance"],
    "aws:rds/globalCluster:GlobalCluster": ["AWS::RDS::GlobalCluster"],
    "aws:rds/proxy:Proxy": ["AWS::RDS::DBProxy"],
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": ["AWS::RDS::DBProxyTargetGroup"],
    "aws:rds/proxyTarget:ProxyTarget": ["AWS::RDS::DBProxyTargetGroup"],
    "aws:rds/subnetGroup:SubnetGroup": ["AWS::RDS::DBSubnetGroup"],
    "aws:route53/healthCheck:HealthCheck": ["AWS::Route53::HealthCheck"],
    "aws:route53/record:Record": ["AWS::Route53::RecordSet"],
    "aws:route53/zone:Zone": ["AWS::Route53::HostedZone"],
    "aws:secretsmanager/secret:Secret": ["AWS::SecretsManager::Secret"],
    "aws:secretsmanager/secretVersion:SecretVersion": ["AWS::SecretsManager::Secret"],
    "aws:secretsmanager/secretRotation:SecretRotation": ["AWS::SecretsManager::RotationSchedule"],
    "aws:sns/topic:Topic": ["AWS::SNS::Topic"],
    "aws:sns/topicPolicy:TopicPolicy": ["AWS::SNS::TopicPolicy"],
    "aws:sns/topicSubscription:TopicSubscription": ["AWS::SNS::Subscription"],
    "aws:sqs/queue:Queue": ["AWS::SQS::Queue"],
    "aws:sqs/queuePolicy:QueuePolicy": ["AWS::SQS::QueuePolicy"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["AWS::EC2::SecurityGroupEgress"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["AWS::EC2::SecurityGroupIngress"],
    "aws:ebs/volume:Volume": [],
    "aws:ec2/volumeAttachment:VolumeAttachment": [],
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": [],
    "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter": [],
    # Held only under other settings (gaming nightly stop; B2 transit-gateway peering): checked too,
    # so switching them on in a stack file needs no new grant.
    "aws:scheduler/schedule:Schedule": ["AWS::Scheduler::Schedule"],
    "aws:ec2transitgateway/transitGateway:TransitGateway": ["AWS::EC2::TransitGateway"],
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": ["AWS::EC2::TransitGatewayVpcAttachment"],
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": ["AWS::EC2::TransitGatewayPeeringAttachment"],
    "aws:ec2transitgateway/route:Route": ["AWS::EC2::TransitGatewayRoute"],
}

# The types above that the shipped previews may not hold, checked whatever the stack files say.
TYPES_UNDER_OTHER_SETTINGS = (
    "aws:scheduler/schedule:Schedule",
    "aws:ec2transitgateway/transitGateway:TransitGateway",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
    "aws:ec2transitgateway/route:Route",
)

# Types with no CloudFormation counterpart: the API calls the provider makes for them
# (terraform-provider-aws internal/service/<service>/<resource>.go).
DIRECT_ACTIONS: dict[str, list[str]] = {
    "aws:acm/certificateValidation:CertificateValidation": ["acm:DescribeCertificate"],
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": [
        "ec2:AcceptVpcPeeringConnection",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:ModifyVpcPeeringConnectionOptions",
        "ec2:CreateTags",
    ],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListAttachedRolePolicies",
    ],
    "aws:lambda/invocation:Invocation": ["lambda:InvokeFunction"],
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": [
        "lambda:PutProvisionedConcurrencyConfig",
        "lambda:GetProvisionedConcurrencyConfig",
        "lambda:DeleteProvisionedConcurrencyConfig",
    ],
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": [
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:DescribeTargetHealth",
    ],
    "aws:opensearch/domainPolicy:DomainPolicy": ["es:UpdateDomainConfig", "es:DescribeDomain"],
    # Gaming data volume (internal/service/ec2/ebs_volume.go: final_snapshot snapshots before delete)
    # and its attachment (ebs_volume_attachment.go: stop_instance_before_detaching stops the instance).
    "aws:ebs/volume:Volume": [
        "ec2:CreateVolume",
        "ec2:DescribeVolumes",
        "ec2:ModifyVolume",
        "ec2:DeleteVolume",
        "ec2:CreateTags",
        "ec2:CreateSnapshot",
        "ec2:DescribeSnapshots",
    ],
    "aws:ec2/volumeAttachment:VolumeAttachment": [
        "ec2:AttachVolume",
        "ec2:DetachVolume",
        "ec2:DescribeVolumes",
        "ec2:DescribeInstances",
        "ec2:StopInstances",
    ],
    # The producer's asynchronous-invocation settings (lambda/function_event_invoke_config.go).
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": [
        "lambda:PutFunctionEventInvokeConfig",
        "lambda:UpdateFunctionEventInvokeConfig",
        "lambda:GetFunctionEventInvokeConfig",
        "lambda:DeleteFunctionEventInvokeConfig",
    ],
    # B2's peering, accepted in the secondary Region (ec2/transitgateway_peering_attachment_accepter.go).
    "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter": [
        "ec2:AcceptTransitGatewayPeeringAttachment",
        "ec2:DescribeTransitGatewayPeeringAttachments",
        "ec2:DeleteTransitGatewayPeeringAttachment",
        "ec2:CreateTags",
    ],
}

# The service a type passes a role to (iam:PassRole is checked with iam:PassedToService).
PASSED_TO_SERVICE: dict[str, str] = {
    "AWS::ApiGateway::Account": "apigateway.amazonaws.com",
    "AWS::EC2::Instance": "ec2.amazonaws.com",
    "AWS::EC2::LaunchTemplate": "ec2.amazonaws.com",
    "AWS::ECS::TaskDefinition": "ecs-tasks.amazonaws.com",
    "AWS::Events::Endpoint": "events.amazonaws.com",
    "AWS::Events::Rule": "events.amazonaws.com",
    "AWS::Lambda::Function": "lambda.amazonaws.com",
    "AWS::RDS::DBProxy": "rds.amazonaws.com",
    "AWS::Scheduler::Schedule": "scheduler.amazonaws.com",
}

# The service-linked role a type's iam:CreateServiceLinkedRole creates (iam:AWSServiceName);
# the first deployment in an account creates it.
SERVICE_LINKED_ROLE_OF: dict[str, str] = {
    "AWS::ECS::Cluster": "ecs.amazonaws.com",
    "AWS::ECS::Service": "ecs.amazonaws.com",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "elasticloadbalancing.amazonaws.com",
    "AWS::OpenSearchService::Domain": "opensearchservice.amazonaws.com",
    "AWS::RDS::DBCluster": "rds.amazonaws.com",
    "AWS::RDS::DBInstance": "rds.amazonaws.com",
    "AWS::RDS::DBProxy": "rds.amazonaws.com",
    "AWS::RDS::GlobalCluster": "rds.amazonaws.com",
    "AWS::ApiGateway::DomainName": "ops.apigateway.amazonaws.com",
    "AWS::EC2::TransitGatewayVpcAttachment": "transitgateway.amazonaws.com",
}

# An alarm whose action stops, terminates or reboots an EC2 instance (arn:aws:automate:...) runs
# through the service-linked role AWSServiceRoleForCloudWatchEvents, which PutMetricAlarm creates
# on first use (CloudWatch user guide, "Using service-linked roles for CloudWatch"; its policy is
# the managed CloudWatchEventsServiceRolePolicy: ec2:StopInstances, ec2:TerminateInstances, ...).
EC2_ALARM_ACTION_SERVICE_LINKED_ROLE = "events.amazonaws.com"
