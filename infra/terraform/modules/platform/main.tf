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
  project      = "netflix-clone"
  name         = "${local.project}-${var.environment}"
  cluster_name = local.name
  namespace    = "${local.project}-${var.environment}"

  azs = slice(sort(data.aws_availability_zones.available.names), 0, 3)

  # Created by the bootstrap root; built from its name so this root needs no IAM read rights.
  deploy_role_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${local.project}-deploy-${var.environment}"
}

module "network" {
  source = "../network"

  name                    = local.name
  cluster_name            = local.cluster_name
  vpc_cidr                = var.vpc_cidr
  azs                     = local.azs
  single_nat_gateway      = var.single_nat_gateway
  flow_log_retention_days = var.log_retention_days
}

module "cluster" {
  source = "../cluster"

  cluster_name           = local.cluster_name
  environment            = var.environment
  kubernetes_version     = "1.33"
  vpc_id                 = module.network.vpc_id
  private_subnet_ids     = module.network.private_subnet_ids
  endpoint_public_access = var.endpoint_public_access
  public_access_cidrs    = var.public_access_cidrs
  log_retention_days     = var.log_retention_days

  node_instance_types = var.node_instance_types
  node_capacity_type  = var.node_capacity_type
  node_min_size       = var.node_min_size
  node_desired_size   = var.node_desired_size
  node_max_size       = var.node_max_size

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
    module.data_stores.db_master_secret_arn,
  ]
  kms_key_arns = [module.secrets.kms_key_arn]
}
