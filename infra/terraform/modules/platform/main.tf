# One environment of netflix-clone: network, EKS cluster, secret containers, data stores and the
# app's IAM role, wired together. Called once by each root in envs/<env>, which only chooses the
# values; the provider (with default_tags) and the backend belong to the caller.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

data "aws_availability_zones" "available" {
  state = "available"

  # Named zones only: a zone AWS adds later must not move subnets (and everything in them).
  filter {
    name   = "zone-name"
    values = [for suffix in ["a", "b", "c"] : "${var.region}${suffix}"]
  }

  lifecycle {
    precondition {
      condition     = data.aws_region.current.name == var.region
      error_message = "region (${var.region}) must be the region of the aws provider the caller passes in (${data.aws_region.current.name})."
    }
  }
}

# The repository lives in the bootstrap root and is shared: every environment runs images
# built once in dev.
data "aws_ecr_repository" "app" {
  name = local.project
}

locals {
  # One Kubernetes version for every environment, so uat rehearses exactly what prod runs. It
  # must be in EKS standard support: tests/infra/test_versions.py holds the dated calendar and
  # fails 60 days before its end; kubectl (release.yml), Pod Security's enforce-version
  # (deploy/k8s/base/namespace.yaml) and kubernetes-validate (scripts/check-k8s.sh) follow it.
  kubernetes_version = "1.35"

  project      = "netflix-clone"
  name         = "${local.project}-${var.environment}"
  cluster_name = local.name
  namespace    = "${local.project}-${var.environment}"

  azs = slice(sort(data.aws_availability_zones.available.names), 0, 3)

  iam_prefix = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}"
  # Created by the bootstrap root; built from their names so this root needs no IAM read rights.
  deploy_role_arn = "${local.iam_prefix}:role/${local.project}-deploy-${var.environment}"
  # Every role this environment creates carries it; the deploy role may create no other kind.
  permissions_boundary_arn = "${local.iam_prefix}:policy/${local.project}-boundary-${var.environment}"
}

# Published by the bootstrap root of this account: the GitHub connection (authorised once by
# hand, docs/infrastructure.md) and the repository the runners serve.
data "aws_ssm_parameter" "github_connection_arn" {
  name = "/${local.project}/bootstrap/github-connection-arn"
}

data "aws_ssm_parameter" "github_repository" {
  name = "/${local.project}/bootstrap/github-repository"
}

# AWS refuses support_type STANDARD (modules/cluster) for a version past its end of standard
# support: stop at plan time, before anything is created or replaced.
data "aws_eks_cluster_versions" "configured" {
  count = var.verify_version_support ? 1 : 0

  cluster_versions_only = [local.kubernetes_version]

  lifecycle {
    postcondition {
      condition = contains(
        [for v in self.cluster_versions : upper(replace(v.version_status, "-", "_")) if v.cluster_version == local.kubernetes_version],
        "STANDARD_SUPPORT",
      )
      error_message = "Kubernetes ${local.kubernetes_version} is not in EKS standard support (aws eks describe-cluster-versions --cluster-versions ${local.kubernetes_version}). Move local.kubernetes_version in modules/platform/main.tf to a version in standard support; tests/infra/test_versions.py holds the calendar."
    }
  }
}

module "network" {
  source = "../network"

  name                    = local.name
  cluster_name            = local.cluster_name
  vpc_cidr                = var.vpc_cidr
  azs                     = local.azs
  single_nat_gateway      = var.single_nat_gateway
  interface_endpoints     = var.interface_endpoints
  flow_log_retention_days = var.log_retention_days

  permissions_boundary_arn = local.permissions_boundary_arn
}

module "runner" {
  source = "../runner"

  name                  = local.name
  environment           = var.environment
  vpc_id                = module.network.vpc_id
  vpc_cidr              = module.network.vpc_cidr
  private_subnet_ids    = module.network.private_subnet_ids
  github_repository     = nonsensitive(data.aws_ssm_parameter.github_repository.value)
  github_connection_arn = nonsensitive(data.aws_ssm_parameter.github_connection_arn.value)
  log_retention_days    = var.log_retention_days

  permissions_boundary_arn = local.permissions_boundary_arn
}

module "cluster" {
  source = "../cluster"

  cluster_name           = local.cluster_name
  environment            = var.environment
  kubernetes_version     = local.kubernetes_version
  metrics_server_version = var.metrics_server_version
  vpc_id                 = module.network.vpc_id
  private_subnet_ids     = module.network.private_subnet_ids
  endpoint_public_access = var.endpoint_public_access
  public_access_cidrs    = var.public_access_cidrs
  log_retention_days     = var.log_retention_days

  api_client_security_group_ids = { runner = module.runner.security_group_id }
  permissions_boundary_arn      = local.permissions_boundary_arn

  admin_principal_arns = var.admin_principal_arns
  deploy_role_arn      = local.deploy_role_arn
  app_namespace        = local.namespace
}

module "secrets" {
  source = "../secrets"

  project              = local.project
  environment          = var.environment
  recovery_window_days = var.secret_recovery_window_days
}

module "data_stores" {
  source = "../data-stores"

  name                     = local.name
  vpc_id                   = module.network.vpc_id
  private_subnet_ids       = module.network.private_subnet_ids
  client_security_group_id = module.cluster.cluster_security_group_id

  db_instance_class              = var.db_instance_class
  db_allocated_storage_gib       = var.db_allocated_storage_gib
  multi_az                       = var.db_multi_az
  deletion_protection            = var.db_deletion_protection
  backup_retention_days          = var.db_backup_retention_days
  skip_final_snapshot            = var.db_skip_final_snapshot
  master_user_secret_kms_key_arn = module.secrets.kms_key_arn
  log_retention_days             = var.log_retention_days

  cache_node_type = var.cache_node_type
  cache_nodes     = var.cache_nodes

  permissions_boundary_arn = local.permissions_boundary_arn
}

module "app_access" {
  source = "../app-access"

  project         = local.project
  environment     = var.environment
  cluster_name    = module.cluster.cluster_name
  namespace       = local.namespace
  service_account = "netflix-clone"

  secret_arns = [
    module.secrets.secret_arns["tmdb-api-key"],
    module.secrets.secret_arns["secret-key"],
  ]
  migration_secret_arns      = [module.secrets.secret_arns["secret-key"]]
  database_master_secret_arn = module.data_stores.db_master_secret_arn
  database_connect_arns      = module.data_stores.db_connect_arns
  kms_key_arns               = [module.secrets.kms_key_arn]
  cache_connect_arns         = module.data_stores.cache_connect_arns

  permissions_boundary_arn = local.permissions_boundary_arn
}
