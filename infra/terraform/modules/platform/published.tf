# What the release step needs to know about this environment, published where it can read it:
# SSM parameters under /netflix-clone/<env>/. deploy/k8s/deploy.sh reads the whole path and
# renders the values into the overlay, so the repository holds none of them and nothing is
# copied by hand. None of these is a secret (secret values live in Secrets Manager; these
# are names, hosts and ARNs), so they are plain String parameters.

locals {
  parameter_path = "/${local.project}/${var.environment}"

  published = {
    "region"                 = var.region
    "cluster-name"           = module.cluster.cluster_name
    "namespace"              = local.namespace
    "vpc-cidr"               = module.network.vpc_cidr
    "alb-subnets-cidr"       = module.network.public_subnets_cidr
    "public-host"            = var.public_host
    "certificate-arn"        = var.route53_zone_id == null ? aws_acm_certificate.public.arn : aws_acm_certificate_validation.public[0].certificate_arn
    "database-host"          = module.data_stores.db_address
    "database-port"          = tostring(module.data_stores.db_port)
    "database-name"          = module.data_stores.db_name
    "database-secret-arn"    = module.data_stores.db_master_secret_arn
    "database-app-user"      = module.data_stores.db_users.app
    "database-owner-user"    = module.data_stores.db_users.owner
    "cluster-dns-ip"         = module.cluster.cluster_dns_ip
    "tmdb-secret-arn"        = module.secrets.secret_arns["tmdb-api-key"]
    "secret-key-secret-arn"  = module.secrets.secret_arns["secret-key"]
    "runner-project"         = module.runner.project_name
    "ecr-repository-url"     = data.aws_ecr_repository.app.repository_url
    "app-role-arn"           = module.app_access.role_arn
    "certificate-validation" = jsonencode(local.certificate_validation_records)
  }
}

resource "aws_ssm_parameter" "published" {
  for_each = local.published

  name        = "${local.parameter_path}/${each.key}"
  description = "${each.key} of ${local.name}, published by Terraform for the release step"
  type        = "String"
  value       = each.value
  tier        = "Standard"
}

# The cache's values in their own resource, so the others never wait for the cache.
resource "aws_ssm_parameter" "published_cache" {
  for_each = {
    "redis-host" = module.data_stores.redis_endpoint
    "redis-user" = module.data_stores.redis_user
    # The replication group id: the app signs its IAM auth token for it (REDIS_IAM_CACHE_NAME).
    "redis-cache-name" = module.data_stores.redis_cache_name
  }

  name        = "${local.parameter_path}/${each.key}"
  description = "${each.key} of ${local.name}, published by Terraform for the release step"
  type        = "String"
  value       = each.value
  tier        = "Standard"
}
