# Pull-request previews on ECS Fargate: the shared, long-lived half. Terraform makes the
# cluster, the load balancer with its HTTPS listener, the roles, the log group, the security
# groups and the image repository once; the preview workflow (.github/workflows/preview.yml)
# makes, per pull request N, a secret, a target group, a listener rule for pr-N.<domain>, a task
# definition from task-definition.json and a service, all tagged preview=pr-N, and deletes them
# again. The workflow reads what it needs from one SSM parameter (config_parameter_name).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# Image layers come from S3 through the VPC's gateway endpoint: the tasks' only way out besides
# the interface endpoints.
data "aws_ec2_managed_prefix_list" "s3" {
  name = "com.amazonaws.${data.aws_region.current.name}.s3"
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  cluster_name   = "${var.name}-previews"
  log_group_name = "/aws/ecs/${var.name}-previews"
  # Per-preview secrets (SECRET_KEY) are made by the workflow under this prefix; the tasks'
  # execution role can read nothing else.
  secret_prefix = "${var.project}/${var.environment}/previews"
  secret_arns   = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${local.secret_prefix}/*"
  app_port      = 8000

  # The shared pieces are tagged preview=shared: the workflow's role may change only resources
  # tagged preview=pr-<n>, so it can never delete or edit these.
  tags = merge(var.tags, { preview = "shared" })

  ecs_trust = {
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:*" }
      }
    }]
  }
}

# --- cluster -------------------------------------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = local.cluster_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = local.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = var.use_spot ? "FARGATE_SPOT" : "FARGATE"
    weight            = 1
  }
}

# --- logs ----------------------------------------------------------------------------------

module "log_key" {
  source          = "../log-key"
  name            = "${var.name}-previews-logs"
  description     = "${var.name} pull-request preview container logs"
  log_group_names = [local.log_group_name]
  tags            = local.tags
}

resource "aws_cloudwatch_log_group" "tasks" {
  #checkov:skip=CKV_AWS_338:Previews run pull-request code on demo data and live days; their logs are for debugging the preview, and the pull request and CI keep the record.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = module.log_key.arn
  tags              = local.tags
}

# --- roles ---------------------------------------------------------------------------------

# What ECS itself does for a preview task: pull its image, write its logs, hand it its secret.
resource "aws_iam_role" "execution" {
  name                 = "${var.name}-preview-execution"
  description          = "ECS task execution role of the ${var.name} pull-request previews"
  assume_role_policy   = jsonencode(local.ecs_trust)
  permissions_boundary = var.permissions_boundary_arn
  tags                 = local.tags
}

resource "aws_iam_role_policy" "execution" {
  name = "pull-log-and-secret"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "EcrLogin"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*" # no resource-level permissions
      },
      {
        Sid      = "PullPreviewImages"
        Effect   = "Allow"
        Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        Resource = aws_ecr_repository.previews.arn
      },
      {
        Sid      = "WriteLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.tasks.arn}:*"
      },
      {
        Sid      = "PreviewSecrets"
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = local.secret_arns
      },
    ]
  })
}

# The application's own AWS identity: nothing. A preview runs on the embedded defaults (SQLite,
# in-process cache, demo catalog) and reaches no AWS API; the role exists so the task never
# falls back to the execution role's rights and so a later grant has a place to go.
resource "aws_iam_role" "task" {
  name                 = "${var.name}-preview-task"
  description          = "Application role of the ${var.name} pull-request previews (no permissions)"
  assume_role_policy   = jsonencode(local.ecs_trust)
  permissions_boundary = var.permissions_boundary_arn
  tags                 = local.tags
}

# --- images --------------------------------------------------------------------------------

# Preview images have their own repository: code nobody has reviewed yet never enters the one
# releases are promoted from, the preview role cannot push there, and previews do not use up
# the release repository's budget of tagged images (bootstrap keeps the newest 300).
resource "aws_ecr_repository" "previews" {
  name                 = "${var.name}-previews"
  image_tag_mutability = "IMMUTABLE"
  # Disposable by design: every image here is rebuilt from its pull request on demand.
  force_delete = true

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
  }

  tags = local.tags
}

resource "aws_ecr_lifecycle_policy" "previews" {
  repository = aws_ecr_repository.previews.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire preview images (pr-<n>-<sha>) ${var.image_expiry_days} days after their push"
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = ["pr-"]
          countType     = "sinceImagePushed"
          countUnit     = "days"
          countNumber   = var.image_expiry_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Expire untagged images after 1 day"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 1
        }
        action = { type = "expire" }
      },
    ]
  })
}

# --- network -------------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name        = "${var.name}-previews-alb"
  description = "Pull-request previews load balancer: HTTPS from the reviewers, to the preview tasks"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-previews-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each = toset(var.ingress_cidrs)

  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the preview tasks"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = aws_security_group.tasks.id
  tags                         = local.tags
}

resource "aws_security_group" "tasks" {
  #checkov:skip=CKV2_AWS_5:Attached by the preview workflow to each pull request's ECS service (awsvpc network configuration), which Terraform does not manage.
  name        = "${var.name}-preview-tasks"
  description = "Pull-request preview tasks: only the previews load balancer may connect"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-preview-tasks" })
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "HTTP from the previews load balancer"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = aws_security_group.alb.id
  tags                         = local.tags
}

# No internet: the image, the secret and the logs go through the VPC endpoints (interface ones
# inside the VPC's CIDR, S3 through its gateway endpoint). DNS to the VPC resolver is not
# subject to security groups.
resource "aws_vpc_security_group_egress_rule" "tasks_to_endpoints" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to the interface VPC endpoints (ECR, Logs, Secrets Manager)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_s3" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to S3 through the gateway endpoint (image layers)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = data.aws_ec2_managed_prefix_list.s3.id
  tags              = local.tags
}

# --- load balancer -------------------------------------------------------------------------

# A load balancer of its own: the environment's ALB belongs to EKS Auto Mode (made from the
# Ingress, not in Terraform), whose controller owns its listener rules.
resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91:Each request is logged by the app itself as a JSON line (client address from X-Forwarded-For, request id) in the previews' log group; an access-log bucket for throw-away previews of demo data adds a bucket to protect.
  #checkov:skip=CKV_AWS_150:deletion_protection is a variable, true by default; dev turns it off because dev is destroyed together with its previews.
  #checkov:skip=CKV2_AWS_28:Previews serve the bundled demo catalog and throw-away accounts; the app rate-limits sign-in and sign-up, and ingress_cidrs narrows who can connect. A WAF web ACL costs more than every preview together.
  name                       = "${var.name}-previews"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"
  enable_deletion_protection = var.deletion_protection
  # Below gunicorn's keep-alive (75 s), so the load balancer closes idle connections first.
  idle_timeout = 60
  tags         = local.tags
}

resource "aws_acm_certificate" "wildcard" {
  #checkov:skip=CKV2_AWS_71:One name per pull request would mean a certificate and a DNS validation per preview; the wildcard covers only the previews' own subdomain and is served by this load balancer alone.
  domain_name       = "*.${var.domain}"
  validation_method = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  certificate_validation_records = {
    for o in aws_acm_certificate.wildcard.domain_validation_options : o.domain_name => {
      name  = o.resource_record_name
      type  = o.resource_record_type
      value = o.resource_record_value
    }
  }
}

resource "aws_route53_record" "certificate_validation" {
  for_each = var.route53_zone_id == null ? {} : { for o in aws_acm_certificate.wildcard.domain_validation_options : o.domain_name => o }

  zone_id         = var.route53_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

# The listener refuses a certificate ACM has not issued yet, so it waits for it: with a zone
# until the record above resolves; without one until someone creates the validation record
# (aws acm describe-certificate shows it while this waits).
resource "aws_acm_certificate_validation" "wildcard" {
  certificate_arn         = aws_acm_certificate.wildcard.arn
  validation_record_fqdns = var.route53_zone_id == null ? null : [for r in aws_route53_record.certificate_validation : r.fqdn]

  timeouts {
    create = "2h"
  }
}

resource "aws_route53_record" "wildcard" {
  count = var.route53_zone_id == null ? 0 : 1

  zone_id = var.route53_zone_id
  name    = "*.${var.domain}"
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = false
  }
}

# HTTPS only: there is no port 80 to redirect from, and the URLs the workflow posts are https.
# A host without a preview gets a plain 404 from the load balancer.
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.wildcard.certificate_arn

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "No preview at this address: it was never deployed, or it has been stopped."
      status_code  = "404"
    }
  }

  tags = local.tags
}

# --- what the workflow reads ---------------------------------------------------------------

locals {
  config = {
    name               = var.name
    region             = local.region
    cluster            = aws_ecs_cluster.this.name
    domain             = var.domain
    listener_arn       = aws_lb_listener.https.arn
    vpc_id             = var.vpc_id
    subnets            = var.private_subnet_ids
    security_groups    = [aws_security_group.tasks.id]
    execution_role_arn = aws_iam_role.execution.arn
    task_role_arn      = aws_iam_role.task.arn
    log_group          = aws_cloudwatch_log_group.tasks.name
    repository_name    = aws_ecr_repository.previews.name
    repository_url     = aws_ecr_repository.previews.repository_url
    secret_prefix      = local.secret_prefix
    capacity_provider  = var.use_spot ? "FARGATE_SPOT" : "FARGATE"
    max_previews       = var.max_previews
    idle_days          = var.idle_days
    container_port     = local.app_port
  }
}

resource "aws_ssm_parameter" "config" {
  name        = "/${var.project}/${var.environment}/previews/config"
  description = "Pull-request previews of ${var.name}: what the preview workflow reads (JSON), published by Terraform"
  type        = "String"
  value       = jsonencode(local.config)
  tier        = "Standard"
  tags        = local.tags
}
