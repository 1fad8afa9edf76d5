# Re-exported under the same names by every envs/<env> root, whose outputs the deploy pipeline
# and the Kustomize overlay's values read (docs/infrastructure.md lists them).

output "region" {
  description = "AWS region of the environment (AWS_REGION)."
  value       = var.region
}

output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = module.cluster.cluster_name
}

output "namespace" {
  description = "Kubernetes namespace of the app."
  value       = local.namespace
}

output "ecr_repository_url" {
  description = "Shared ECR repository the images are pulled from (by digest)."
  value       = data.aws_ecr_repository.app.repository_url
}

output "app_role_arn" {
  description = "IAM role of the app's service account (through EKS Pod Identity)."
  value       = module.app_access.role_arn
}

output "tmdb_secret_arn" {
  description = "Secrets Manager ARN of the TMDB key (TMDB_SECRET_ID)."
  value       = module.secrets.secret_arns["tmdb-api-key"]
}

output "secret_key_secret_arn" {
  description = "Secrets Manager ARN of the token-signing key (SECRET_KEY_SECRET_ID)."
  value       = module.secrets.secret_arns["secret-key"]
}

output "database_secret_arn" {
  description = "Secrets Manager ARN of the RDS-managed master secret (DATABASE_SECRET_ID)."
  value       = module.data_stores.db_master_secret_arn
}

output "database_endpoint" {
  description = "PostgreSQL host:port (DATABASE_URL carries host, port and database; credentials come from the secret)."
  value       = module.data_stores.db_endpoint
}

output "database_name" {
  description = "Name of the application database."
  value       = module.data_stores.db_name
}

output "redis_endpoint" {
  description = "Cache primary endpoint host (REDIS_URL=rediss://<host>:6379/0; TLS is required)."
  value       = module.data_stores.redis_endpoint
}

output "vpc_id" {
  description = "VPC ID of the environment."
  value       = module.network.vpc_id
}

output "nat_public_ips" {
  description = "Egress IPs of the environment."
  value       = module.network.nat_public_ips
}

output "topology" {
  description = "What the environment's values amount to, read back from the planned resources: AZs, NAT gateways, Auto Mode settings, database Multi-AZ/deletion protection/final snapshot, cache failover. For review and for the environment roots' tests."
  value = {
    azs                      = local.azs
    nat_gateways             = length(module.network.nat_gateway_ids)
    auto_mode                = module.cluster.auto_mode
    db_multi_az              = module.data_stores.db_multi_az
    db_deletion_protection   = module.data_stores.db_deletion_protection
    db_final_snapshot        = !var.db_skip_final_snapshot
    cache_automatic_failover = module.data_stores.cache_automatic_failover
    kubernetes_version       = module.cluster.kubernetes_version
    elastic_ips              = length(module.network.nat_public_ips)
    interface_endpoints      = length(var.interface_endpoints)
    log_retention_days       = var.log_retention_days
  }
}

output "runner_project" {
  description = "CodeBuild project of the environment's GitHub Actions runner (runs-on: codebuild-<runner_project>-<run id>-<attempt>)."
  value       = module.runner.project_name
}

output "parameter_path" {
  description = "SSM path under which the release step's values are published (one parameter per name)."
  value       = local.parameter_path
}

output "published_parameters" {
  description = "Names of the SSM parameters published under parameter_path."
  value       = sort(concat(keys(aws_ssm_parameter.published), keys(aws_ssm_parameter.published_cache)))
}

output "certificate_arn" {
  description = "ACM certificate of public_host (issued once its DNS validation records resolve)."
  value       = aws_acm_certificate.public.arn
}

output "certificate_validation_records" {
  description = "DNS records that validate the certificate; create them by hand when route53_zone_id is null."
  value       = local.certificate_validation_records
}

output "role_permissions_boundaries" {
  description = "Permissions boundary of every IAM role the environment creates (all must be netflix-clone-boundary-<env>)."
  value = merge(
    module.cluster.permissions_boundaries, module.runner.permissions_boundaries,
    module.data_stores.permissions_boundaries, module.network.permissions_boundaries,
    module.app_access.permissions_boundaries,
  )
}

output "observability_targets" {
  description = "What modules/observability alarms on: RDS instance and storage, read replicas (none yet), cache replication group and member clusters, the public host's certificate."
  value = {
    db_instance_id             = module.data_stores.db_instance_id
    db_allocated_storage_gib   = var.db_allocated_storage_gib
    db_read_replica_ids        = []
    cache_replication_group_id = module.data_stores.redis_cache_name
    cache_member_clusters      = module.data_stores.cache_member_clusters
    certificate_arn            = aws_acm_certificate.public.arn
  }
}

output "load_balancer_dns_name" {
  description = "DNS name of the ingress's ALB (made by the first release; null before): the target of public_host's CNAME when Route 53 does not host the domain."
  value       = try(local.public_albs[0].dns_name, null)
}

output "public_record" {
  description = "The alias record of public_host Terraform owns (with route53_zone_id, once the ALB exists); null otherwise."
  value       = try({ name = aws_route53_record.public[0].name, target = aws_route53_record.public[0].alias[0].name }, null)
}

output "cluster_dns_ip" {
  description = "Cluster DNS address the NetworkPolicies allow port 53 to (published as cluster-dns-ip)."
  value       = module.cluster.cluster_dns_ip
}

# Read by the roots' additional modules (envs/dev/previews.tf) that live in this environment's
# network and under its boundary.
output "vpc_cidr" {
  description = "IPv4 CIDR of the environment's VPC."
  value       = module.network.vpc_cidr
}

output "private_subnet_ids" {
  description = "Private subnets of the environment (one per AZ)."
  value       = module.network.private_subnet_ids
}

output "public_subnet_ids" {
  description = "Public subnets of the environment (load balancers, NAT gateways)."
  value       = module.network.public_subnet_ids
}

output "permissions_boundary_arn" {
  description = "Permissions boundary every role of the environment carries (netflix-clone-boundary-<env>)."
  value       = local.permissions_boundary_arn
}
