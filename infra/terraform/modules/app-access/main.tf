data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

# Three roles, one per kind of pod, each bound by EKS Pod Identity to its own service account in
# the environment's namespace and holding only what that pod does:
#   app       the web pods: their secrets, the cache as the app's cache user, the database as
#             the app's database user (rows only)
#   migrate   the migration Job: the token-signing key (the app factory reads it at start-up) and
#             the database as the schema owner
#   db_admin  the release's db-admin Job: the RDS master secret, nothing else; it creates the two
#             database users and their grants (netflix_clone.core.db_iam ensure-users)
# The master secret is readable by db_admin only: neither the app nor the migrations use it.

locals {
  roles = {
    app = {
      name            = "${var.project}-app-${var.environment}"
      service_account = var.service_account
      secret_arns     = var.secret_arns
      database        = [var.database_connect_arns.app]
    }
    migrate = {
      name            = "${var.project}-${var.environment}-migrate"
      service_account = "${var.service_account}-migrate"
      secret_arns     = var.migration_secret_arns
      database        = [var.database_connect_arns.owner]
    }
    db_admin = {
      name            = "${var.project}-${var.environment}-db-admin"
      service_account = "${var.service_account}-db-admin"
      secret_arns     = [var.database_master_secret_arn]
      database        = []
    }
  }

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
    for role, r in local.roles : role => {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ReadOwnSecrets"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue"]
          Resource = r.secret_arns
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

  # IAM database authentication as exactly one user of this environment's instance.
  connect_database_policy = {
    for role, r in local.roles : role => {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "ConnectAsOwnDatabaseUser"
        Effect   = "Allow"
        Action   = ["rds-db:connect"]
        Resource = r.database
      }]
    } if length(r.database) > 0
  }

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

resource "aws_iam_role" "this" {
  for_each = local.roles

  name                 = each.value.name
  permissions_boundary = var.permissions_boundary_arn
  description          = "Assumed by ${var.namespace}/${each.value.service_account} through EKS Pod Identity"
  assume_role_policy   = jsonencode(local.trust_policy)
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "read_secrets" {
  for_each = local.roles

  name   = "read-own-secrets"
  role   = aws_iam_role.this[each.key].id
  policy = jsonencode(local.read_secrets_policy[each.key])
}

# Its own policy, so the secrets grant never waits for the database.
resource "aws_iam_role_policy" "connect_database" {
  for_each = local.connect_database_policy

  name   = "connect-own-database"
  role   = aws_iam_role.this[each.key].id
  policy = jsonencode(each.value)
}

# Its own policy, so the secrets grant never waits for the cache (or its emulator gap).
resource "aws_iam_role_policy" "connect_cache" {
  count = length(var.cache_connect_arns) > 0 ? 1 : 0

  name   = "connect-own-cache"
  role   = aws_iam_role.this["app"].id
  policy = jsonencode(local.connect_cache_policy)
}

resource "aws_eks_pod_identity_association" "this" {
  for_each = local.roles

  cluster_name    = var.cluster_name
  namespace       = var.namespace
  service_account = each.value.service_account
  role_arn        = aws_iam_role.this[each.key].arn
  tags            = var.tags
}

moved {
  from = aws_iam_role.app
  to   = aws_iam_role.this["app"]
}

moved {
  from = aws_iam_role_policy.read_secrets
  to   = aws_iam_role_policy.read_secrets["app"]
}

moved {
  from = aws_eks_pod_identity_association.app
  to   = aws_eks_pod_identity_association.this["app"]
}
