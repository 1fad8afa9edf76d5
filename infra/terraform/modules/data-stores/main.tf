data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  db_log_groups = {
    postgresql = "/aws/rds/instance/${var.name}/postgresql"
    upgrade    = "/aws/rds/instance/${var.name}/upgrade"
  }
  cache_log_group = "/aws/elasticache/${var.name}/slow-log"

  cache_failover = var.cache_nodes > 1

  # Database users for IAM authentication, created by the release's db-admin Job as the master
  # user (deploy/k8s/components/migration-job): the schema owner runs migrations, the app only
  # reads and writes rows. Their names carry the environment, which is how the permissions
  # boundary fences rds-db:connect before the database (and its resource id) exists.
  db_user_prefix = replace(var.name, "-", "_")
  db_users = {
    owner = "${local.db_user_prefix}_owner"
    app   = "${local.db_user_prefix}_app"
  }
}

module "key" {
  source          = "../log-key"
  name            = "${var.name}-data"
  description     = "${var.name} RDS and ElastiCache storage, Performance Insights and their logs"
  log_group_names = concat(values(local.db_log_groups), [local.cache_log_group])
  tags            = var.tags
}

moved {
  from = aws_kms_key.data
  to   = module.key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.data
  to   = module.key.aws_kms_alias.this
}

# =============================================================================================
# PostgreSQL
# =============================================================================================

resource "aws_security_group" "db" {
  name        = "${var.name}-postgres"
  description = "PostgreSQL, reachable only from the EKS cluster security group"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-postgres" })
}

resource "aws_vpc_security_group_ingress_rule" "db_from_cluster" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from EKS nodes and pods"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = var.client_security_group_id
}

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}"
  subnet_ids  = var.private_subnet_ids
  tags        = var.tags
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-pg16-"
  family      = "postgres16"
  description = "${var.name}: TLS only, slow-query logging"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "ssl_min_protocol_version"
    value = "TLSv1.2"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "500" # ms: slow queries only; full statement logging would write user data to logs
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "db" {
  for_each = local.db_log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.arn
  tags              = var.tags
}

resource "aws_iam_role" "rds_monitoring" {
  name                 = "${var.name}-rds-monitoring"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class

  db_name  = var.db_name
  username = var.db_master_username
  # RDS generates the password, stores and rotates it in Secrets Manager; it never passes
  # through Terraform.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.master_user_secret_kms_key_arn

  iam_database_authentication_enabled = true

  allocated_storage     = var.db_allocated_storage_gib
  max_allocated_storage = var.db_max_allocated_storage_gib
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = module.key.arn

  multi_az               = var.multi_az
  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name

  backup_retention_period   = var.backup_retention_days
  backup_window             = "02:00-03:00"
  maintenance_window        = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = var.skip_final_snapshot ? null : "${var.name}-final"

  auto_minor_version_upgrade      = true
  enabled_cloudwatch_logs_exports = keys(local.db_log_groups)

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = module.key.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.db]
}

# =============================================================================================
# Valkey / Redis
# =============================================================================================

resource "aws_security_group" "cache" {
  name        = "${var.name}-cache"
  description = "Valkey/Redis, reachable only from the EKS cluster security group"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-cache" })
}

resource "aws_vpc_security_group_ingress_rule" "cache_from_cluster" {
  security_group_id            = aws_security_group.cache.id
  description                  = "Valkey/Redis from EKS nodes and pods"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = var.client_security_group_id
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}"
  subnet_ids  = var.private_subnet_ids
  tags        = var.tags
}

resource "aws_cloudwatch_log_group" "cache" {
  name              = local.cache_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.arn
  tags              = var.tags
}

# Authentication: a user group replaces the open default user. The default user is switched
# off; the app connects as its own user with IAM authentication (a short-lived token signed
# with the Pod Identity credentials of netflix-clone-app-<env>, which alone may
# elasticache:Connect as this user), so no password exists anywhere: not in Terraform, its
# state, Secrets Manager or a manifest.
resource "aws_elasticache_user" "default_off" {
  user_id       = "${var.name}-default-off"
  user_name     = "default"
  engine        = var.cache_engine
  access_string = "off -@all"

  authentication_mode {
    type = "no-password-required"
  }

  tags = var.tags
}

resource "aws_elasticache_user" "app" {
  # IAM authentication requires user_id == user_name.
  user_id       = "${var.name}-app"
  user_name     = "${var.name}-app"
  engine        = var.cache_engine
  access_string = "on ~* +@all -@dangerous"

  authentication_mode {
    type = "iam"
  }

  tags = var.tags
}

resource "aws_elasticache_user_group" "this" {
  user_group_id = var.name
  engine        = var.cache_engine
  user_ids      = [aws_elasticache_user.default_off.user_id, aws_elasticache_user.app.user_id]
  tags          = var.tags
}

# A bounded cache: past maxmemory, evict the least recently used keys of any kind. Catalog entries
# (kept for days for stale-if-error) are by far the most and the coldest, so they go first;
# rate-limit windows and session revocations are minutes old by construction. `noeviction` would
# turn a full cache into write errors, and the volatile-ttl policy would evict revocations (the
# shortest TTLs) first.
resource "aws_elasticache_parameter_group" "cache" {
  name        = "${var.name}-cache"
  family      = "${var.cache_engine}${split(".", var.cache_engine_version)[0]}"
  description = "${var.name}: LRU eviction over all keys"

  parameter {
    name  = "maxmemory-policy"
    value = "allkeys-lru"
  }

  parameter {
    name  = "maxmemory-samples"
    value = "10"
  }

  tags = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = "${var.name} cache and rate-limit store"
  engine               = var.cache_engine
  engine_version       = var.cache_engine_version
  node_type            = var.cache_node_type
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.cache.name

  num_cache_clusters         = var.cache_nodes
  automatic_failover_enabled = local.cache_failover
  multi_az_enabled           = local.cache_failover

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.cache.id]
  user_group_ids     = [aws_elasticache_user_group.this.user_group_id]

  at_rest_encryption_enabled = true
  kms_key_id                 = module.key.arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"

  snapshot_retention_limit   = var.cache_snapshot_retention_days
  snapshot_window            = "01:00-02:00"
  maintenance_window         = "sun:04:30-sun:05:30"
  auto_minor_version_upgrade = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  tags = var.tags
}
