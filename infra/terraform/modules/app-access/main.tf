data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  role_name = "${var.project}-app-${var.environment}"

  trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = {
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
      }
    }]
  }

  # Exactly its own secrets: built with jsonencode so tests can read it back.
  read_secrets_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadOwnSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = var.secret_arns
      },
      {
        Sid      = "DecryptThroughSecretsManager"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = var.kms_key_arns
        Condition = {
          StringEquals = { "kms:ViaService" = "secretsmanager.${data.aws_region.current.name}.amazonaws.com" }
        }
      },
    ]
  }
}

locals {
  # IAM authentication to the cache as the app's own user (and only that user).
  connect_cache_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ConnectToOwnCache"
      Effect   = "Allow"
      Action   = ["elasticache:Connect"]
      Resource = var.cache_connect_arns
    }]
  }
}

resource "aws_iam_role" "app" {
  name                 = local.role_name
  permissions_boundary = var.permissions_boundary_arn
  description          = "Assumed by ${var.namespace}/${var.service_account} through EKS Pod Identity"
  assume_role_policy   = jsonencode(local.trust_policy)
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "read_secrets" {
  name   = "read-own-secrets"
  role   = aws_iam_role.app.id
  policy = jsonencode(local.read_secrets_policy)
}

# Its own policy, so the secrets grant never waits for the cache (or its emulator gap).
resource "aws_iam_role_policy" "connect_cache" {
  count = length(var.cache_connect_arns) > 0 ? 1 : 0

  name   = "connect-own-cache"
  role   = aws_iam_role.app.id
  policy = jsonencode(local.connect_cache_policy)
}

resource "aws_eks_pod_identity_association" "app" {
  cluster_name    = var.cluster_name
  namespace       = var.namespace
  service_account = var.service_account
  role_arn        = aws_iam_role.app.arn
  tags            = var.tags
}
