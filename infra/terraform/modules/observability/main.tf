# What on-call needs from the first deploy of one environment: the pods' logs in CloudWatch Logs,
# the app's Prometheus metrics in CloudWatch (through the in-cluster collector of
# deploy/k8s/cluster/metrics-collector), the ALB's access logs in S3, alarms on an SNS topic and
# a dashboard. docs/operations.md is the runbook for everything this module creates.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# The regional Elastic Load Balancing account that writes access logs in regions opened before
# August 2022 (eu-west-1 is one); newer regions use the log-delivery service principal instead.
data "aws_elb_service_account" "current" {}

locals {
  name       = "netflix-clone-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Fluent Bit (application, dataplane, host) and the Container Insights agent (performance) of
  # the add-on write under /aws/containerinsights/<cluster>/, and so does the Prometheus
  # collector (prometheus). Created here first, so none of them appears without retention or
  # encryption (the agents only create a group that is missing).
  container_insights = "/aws/containerinsights/${var.cluster_name}"
  log_groups = {
    for kind in ["application", "dataplane", "host", "performance", "prometheus"] :
    kind => "${local.container_insights}/${kind}"
  }

  # The app's Prometheus metrics, as the collector's EMF declarations publish them (dimension
  # Namespace = the app's Kubernetes namespace), and the metrics the access log yields.
  prometheus_namespace = "NetflixClone/Prometheus"
  access_log_namespace = "NetflixClone/AccessLog"

  # The Ingress names it (deploy/k8s/base/ingress.yaml, access_logs.s3.prefix).
  alb_log_prefix = "alb"

  # The deploy role may create KMS keys only with environment=<env> in the request, and the
  # boundary denies whatever is tagged for another environment: the module sets the tag itself
  # rather than trusting every caller's default_tags.
  tags = merge(var.tags, { environment = var.environment })
}

# --- Logs ------------------------------------------------------------------------------------

module "log_key" {
  source          = "../log-key"
  name            = "${local.name}-observability"
  description     = "${local.name} container, node and collector logs"
  log_group_names = values(local.log_groups)
  tags            = local.tags
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = module.log_key.arn
  tags              = local.tags
}

# --- Alarm topic -----------------------------------------------------------------------------

# SNS encrypts with a customer-managed key CloudWatch may use: alarms cannot publish to a topic
# under the AWS-managed SNS key, whose policy names no other service.
resource "aws_kms_key" "alarms" {
  description             = "${local.name} alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
  tags = merge(local.tags, { Name = "${local.name}-alarms" })
}

resource "aws_kms_alias" "alarms" {
  name          = "alias/${local.name}-alarms"
  target_key_id = aws_kms_key.alarms.key_id
}

resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  display_name      = "${local.name} alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
  tags              = local.tags
}

resource "aws_sns_topic_policy" "alarms" {
  arn = aws_sns_topic.alarms.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountManages"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action = [
          "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic",
          "sns:Publish", "sns:DeleteTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource",
        ]
        Resource = aws_sns_topic.alarms.arn
      },
      {
        Sid       = "CloudWatchAlarmsOfThisAccount"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alarms.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "TlsOnly"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alarms.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

# No default subscription: dev passes none, uat and prod the on-call pager's address (e-mail
# subscriptions stay pending until someone confirms the message AWS sends).
resource "aws_sns_topic_subscription" "alarms" {
  for_each = { for s in var.alarm_subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

# --- ALB access logs -------------------------------------------------------------------------

resource "aws_s3_bucket" "alb_logs" {
  #checkov:skip=CKV_AWS_145:ALB access logging writes only to buckets encrypted with SSE-S3 (AES256), never SSE-KMS
  bucket = "${local.name}-alb-logs-${local.account_id}"
  tags   = local.tags
}

resource "aws_s3_bucket_ownership_controls" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "alb_logs" {
  bucket                  = aws_s3_bucket.alb_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ALB access logging accepts SSE-S3 only (not SSE-KMS).
resource "aws_s3_bucket_server_side_encryption_configuration" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}

    dynamic "transition" {
      for_each = var.alb_log_retention_days > 60 ? [30] : []
      content {
        days          = transition.value
        storage_class = "STANDARD_IA"
      }
    }
    expiration {
      days = var.alb_log_retention_days
    }
    # Log objects are never overwritten; a noncurrent version only exists after a deletion.
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.alb_logs]
}

resource "aws_s3_bucket_policy" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ElbAccountWritesAccessLogs"
        Effect    = "Allow"
        Principal = { AWS = data.aws_elb_service_account.current.arn }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.alb_logs.arn}/${local.alb_log_prefix}/AWSLogs/${local.account_id}/*"
      },
      {
        Sid       = "LogDeliveryWritesAccessLogs"
        Effect    = "Allow"
        Principal = { Service = "logdelivery.elasticloadbalancing.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.alb_logs.arn}/${local.alb_log_prefix}/AWSLogs/${local.account_id}/*"
      },
      {
        Sid       = "TlsOnly"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.alb_logs.arn, "${aws_s3_bucket.alb_logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.alb_logs]
}

# The release step renders the bucket into the Ingress's access-log attribute
# (deploy/k8s/deploy.sh reads every parameter under parameter_path).
resource "aws_ssm_parameter" "alb_log_bucket" {
  name        = "${var.parameter_path}/alb-log-bucket"
  description = "S3 bucket of ${local.name}'s ALB access logs (prefix ${local.alb_log_prefix}), published by Terraform for the release step"
  type        = "String"
  value       = aws_s3_bucket.alb_logs.id
  tier        = "Standard"
  tags        = local.tags
}

# --- Collectors: the add-on (container logs, Container Insights) and the Prometheus scraper --

locals {
  pod_identity_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
  # From the names, not the resources' arn attributes, so the roles' policies are known at plan
  # time (reviewers and bootstrap's tests read them before anything exists).
  log_group_arn  = { for k, n in local.log_groups : k => "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${n}" }
  log_group_arns = values(local.log_group_arn)
}

# The add-on's CloudWatch agent and Fluent Bit share the service account cloudwatch-agent. Its
# rights are those of AWS's CloudWatchAgentServerPolicy narrowed to this environment's log
# groups and Container Insights (no X-Ray: Application Signals is off), inline because the
# environment's boundary lets the pipeline attach only known policies.
resource "aws_iam_role" "cloudwatch_agent" {
  name                 = "${local.name}-cloudwatch-agent"
  description          = "amazon-cloudwatch-observability add-on of ${var.cluster_name} (Pod Identity)"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = local.pod_identity_trust
  tags                 = local.tags
}

resource "aws_iam_role_policy" "cloudwatch_agent" {
  name = "container-insights-and-logs"
  role = aws_iam_role.cloudwatch_agent.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteOwnLogGroups"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:PutRetentionPolicy"]
        Resource = concat(local.log_group_arns, [for a in local.log_group_arns : "${a}:log-stream:*"])
      },
      {
        # Describe calls have no resource-level permissions.
        Sid      = "Describe"
        Effect   = "Allow"
        Action   = ["logs:DescribeLogGroups", "ec2:DescribeVolumes", "ec2:DescribeTags"]
        Resource = "*"
      },
      {
        Sid       = "ContainerInsightsMetrics"
        Effect    = "Allow"
        Action    = "cloudwatch:PutMetricData"
        Resource  = "*"
        Condition = { StringEquals = { "cloudwatch:namespace" = ["ContainerInsights", "CWAgent"] } }
      },
    ]
  })
}

resource "aws_eks_addon" "cloudwatch_observability" {
  cluster_name                = var.cluster_name
  addon_name                  = "amazon-cloudwatch-observability"
  addon_version               = var.cloudwatch_observability_version
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  pod_identity_association {
    role_arn        = aws_iam_role.cloudwatch_agent.arn
    service_account = "cloudwatch-agent"
  }

  # Container Insights with enhanced observability (pod restarts, OOM kills, node conditions)
  # and Fluent Bit for container logs. Application Signals is left out: the app exports its own
  # metrics, and auto-instrumentation would change the image's behaviour at admission.
  # The add-on's DaemonSets tolerate every taint by default, so they run on the system pool too.
  configuration_values = jsonencode({
    agent = {
      config = {
        logs = {
          metrics_collected = {
            kubernetes = { enhanced_container_insights = true }
          }
        }
      }
    }
    containerLogs = { enabled = true }
  })

  tags = local.tags

  # The groups exist (with retention and encryption) before any agent can create them bare.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.cloudwatch_agent]
}

resource "aws_iam_role" "metrics_collector" {
  name                 = "${local.name}-metrics-collector"
  description          = "Prometheus collector of ${var.cluster_name} (Pod Identity): EMF into the prometheus log group"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = local.pod_identity_trust
  tags                 = local.tags
}

resource "aws_iam_role_policy" "metrics_collector" {
  name = "prometheus-emf"
  role = aws_iam_role.metrics_collector.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WritePrometheusLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = [local.log_group_arn["prometheus"], "${local.log_group_arn["prometheus"]}:log-stream:*"]
      },
      {
        Sid      = "DescribeLogGroups"
        Effect   = "Allow"
        Action   = "logs:DescribeLogGroups"
        Resource = "*"
      },
    ]
  })
}

resource "aws_eks_pod_identity_association" "metrics_collector" {
  cluster_name    = var.cluster_name
  namespace       = var.metrics_collector.namespace
  service_account = var.metrics_collector.service_account
  role_arn        = aws_iam_role.metrics_collector.arn
  tags            = local.tags
}
