# Only the containers: Terraform never writes a secret value, so values never reach the plan,
# the state or CI logs. Operators put them with `aws secretsmanager put-secret-value`
# (docs/infrastructure.md).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  prefix = "${var.project}/${var.environment}"
}

resource "aws_kms_key" "secrets" {
  description             = "${local.prefix} Secrets Manager secrets (app secrets and the RDS master secret)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      # Use is granted by IAM policies (the app role may decrypt only via Secrets Manager).
      Sid       = "AccountAdministration"
      Effect    = "Allow"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = merge(var.tags, { Name = "${var.project}-${var.environment}-secrets" })
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/${var.project}-${var.environment}-secrets"
  target_key_id = aws_kms_key.secrets.key_id
}

resource "aws_secretsmanager_secret" "this" {
  for_each = var.secret_names

  name                    = "${local.prefix}/${each.value}"
  description             = "${each.value} of ${var.project} in ${var.environment}; value set out of band"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}
