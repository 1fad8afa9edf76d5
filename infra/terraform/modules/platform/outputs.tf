# Read by the deploy pipeline (terraform output -json) and by the Kustomize overlay's values.

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
  description = "VPC ID (the AWS Load Balancer Controller needs it passed in: pods cannot reach IMDS)."
  value       = module.network.vpc_id
}

output "lb_controller_role_arn" {
  description = "IAM role of the AWS Load Balancer Controller (kube-system/aws-load-balancer-controller)."
  value       = module.cluster.lb_controller_role_arn
}

output "nat_public_ips" {
  description = "Egress IPs of the environment."
  value       = module.network.nat_public_ips
}
