output "db_endpoint" {
  description = "PostgreSQL endpoint as host:port."
  value       = aws_db_instance.this.endpoint
}

output "db_address" {
  description = "PostgreSQL host name."
  value       = aws_db_instance.this.address
}

output "db_port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Name of the application database."
  value       = aws_db_instance.this.db_name
}

output "db_master_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding the master user name and password (JSON); read only by the release's db-admin Job, which creates the IAM-authenticated users."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "db_security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.db.id
}

output "redis_endpoint" {
  description = "Primary endpoint of the cache (TLS required: use a rediss:// URL)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "redis_reader_endpoint" {
  description = "Reader endpoint of the cache."
  value       = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "redis_port" {
  description = "Port of the cache."
  value       = aws_elasticache_replication_group.this.port
}

output "cache_security_group_id" {
  description = "Security group of the cache."
  value       = aws_security_group.cache.id
}

output "kms_key_arn" {
  description = "KMS key encrypting database and cache storage."
  value       = module.key.arn
}

output "db_multi_az" {
  description = "Whether the database runs with a standby in a second AZ."
  value       = aws_db_instance.this.multi_az
}

output "db_deletion_protection" {
  description = "Whether the database refuses deletion."
  value       = aws_db_instance.this.deletion_protection
}

output "cache_automatic_failover" {
  description = "Whether the cache fails over automatically to a replica."
  value       = aws_elasticache_replication_group.this.automatic_failover_enabled
}

output "redis_cache_name" {
  description = "Replication group id of the cache: what an IAM auth token is signed for."
  value       = aws_elasticache_replication_group.this.replication_group_id
}

output "redis_user" {
  description = "Cache user the app authenticates as (IAM authentication: the password is a token signed with the app role's credentials)."
  value       = aws_elasticache_user.app.user_name
}

output "cache_connect_arns" {
  description = "ARNs elasticache:Connect must name for the app to authenticate: the replication group and its user."
  value       = [aws_elasticache_replication_group.this.arn, aws_elasticache_user.app.arn]
}

output "cache_eviction" {
  description = "The cache's parameter group family and its eviction settings."
  value = {
    family     = aws_elasticache_parameter_group.cache.family
    group      = aws_elasticache_replication_group.this.parameter_group_name
    parameters = { for p in aws_elasticache_parameter_group.cache.parameter : p.name => p.value }
  }
}

output "cache_authentication" {
  description = "How the cache authenticates: user group, and the authentication type of every user in it."
  value = {
    user_group_ids = aws_elasticache_replication_group.this.user_group_ids
    default_user   = { access_string = aws_elasticache_user.default_off.access_string }
    app_user       = { name = aws_elasticache_user.app.user_name, type = aws_elasticache_user.app.authentication_mode[0].type }
  }
}

output "db_engine_version" {
  description = "PostgreSQL engine version as configured (a major version only)."
  value       = aws_db_instance.this.engine_version
}

output "permissions_boundaries" {
  description = "Permissions boundary of each IAM role of this module."
  value       = { rds_monitoring = aws_iam_role.rds_monitoring.permissions_boundary }
}

output "db_instance_id" {
  description = "RDS instance identifier (the DBInstanceIdentifier dimension of its CloudWatch metrics)."
  value       = aws_db_instance.this.identifier
}

output "cache_member_clusters" {
  description = "Cache clusters of the replication group, <id>-001 upwards as ElastiCache names them (the CacheClusterId dimension of their metrics); known at plan time."
  value       = [for i in range(var.cache_nodes) : format("%s-%03d", aws_elasticache_replication_group.this.replication_group_id, i + 1)]
}

output "db_users" {
  description = "Database users that log in with IAM authentication: owner (schema owner, migrations) and app (rows only)."
  value       = local.db_users
}

output "db_connect_arns" {
  description = "rds-db:connect resource per database user (owner, app): IAM authentication as exactly that user of this instance."
  value = {
    for role, user in local.db_users :
    role => "arn:${local.partition}:rds-db:${local.region}:${local.account_id}:dbuser:${aws_db_instance.this.resource_id}/${user}"
  }
}
