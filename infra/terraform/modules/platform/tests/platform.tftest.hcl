# Plans and applies this environment root against a mocked AWS provider (offline: nothing is
# created) with the root's own terraform.tfvars, then checks the security-relevant shape.
# Identical in every environment root.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_ecr_repository" {
    defaults = { repository_url = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/netflix-clone" }
  }

  # The provider still validates arguments, so ARNs that feed other resources must look real.
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mock" }
  }
  mock_resource "aws_iam_policy" {
    defaults = { arn = "arn:aws:iam::111122223333:policy/mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:mock" }
  }
  mock_resource "aws_eks_cluster" {
    defaults = {
      arn                   = "arn:aws:eks:eu-west-1:111122223333:cluster/mock"
      certificate_authority = [{ data = "bW9jaw==" }]
    }
  }
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", latest_version = 1 }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      master_user_secret = [{
        secret_arn    = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-mock-AbCdEf"
        kms_key_id    = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
        secret_status = "active"
      }]
    }
  }
}

run "environment" {
  command = apply

  # --- subnets: load balancer discovery tags ---------------------------------------------
  assert {
    condition = length(module.network.public_subnet_tags) == 3 && alltrue([
      for t in values(module.network.public_subnet_tags) : t["kubernetes.io/role/elb"] == "1"
    ])
    error_message = "every public subnet (3 AZs) must carry kubernetes.io/role/elb=1"
  }
  assert {
    condition = length(module.network.private_subnet_tags) == 3 && alltrue([
      for t in values(module.network.private_subnet_tags) :
      t["kubernetes.io/role/internal-elb"] == "1" && t["kubernetes.io/cluster/netflix-clone-${var.environment}"] == "shared"
    ])
    error_message = "every private subnet must carry kubernetes.io/role/internal-elb=1 and kubernetes.io/cluster/<cluster>=shared"
  }
  assert {
    condition     = alltrue([for t in values(module.network.private_subnet_tags) : !contains(keys(t), "kubernetes.io/role/elb")])
    error_message = "private subnets must not be candidates for internet-facing load balancers"
  }
  assert {
    condition     = length(module.network.nat_gateway_ids) == (var.single_nat_gateway ? 1 : 3)
    error_message = "one NAT gateway when single_nat_gateway, else one per AZ"
  }

  # --- cluster --------------------------------------------------------------------------
  assert {
    condition     = module.cluster.cluster_name == "netflix-clone-${var.environment}" && module.cluster.kubernetes_version == "1.33"
    error_message = "cluster must be netflix-clone-<env> on Kubernetes 1.33"
  }
  assert {
    condition     = module.cluster.authentication_mode == "API"
    error_message = "cluster must use access entries only (authentication_mode = API)"
  }
  assert {
    condition     = module.cluster.endpoint_public_access == var.endpoint_public_access
    error_message = "public endpoint must follow the variable (off by default)"
  }
  assert {
    condition = (
      length(module.cluster.node_group_subnet_ids) > 0
      && length(setsubtract(module.cluster.node_group_subnet_ids, module.network.private_subnet_ids)) == 0
      && length(setintersection(module.cluster.node_group_subnet_ids, module.network.public_subnet_ids)) == 0
    )
    error_message = "the node group must run in private subnets only"
  }
  assert {
    condition     = module.cluster.node_metadata_options.http_tokens == "required" && module.cluster.node_metadata_options.http_put_response_hop_limit == 1
    error_message = "nodes must enforce IMDSv2 with a hop limit of 1"
  }
  assert {
    condition     = jsondecode(module.cluster.addon_configuration["vpc-cni"].configuration_values).enableNetworkPolicy == "true"
    error_message = "vpc-cni must enable network policy enforcement"
  }
  assert {
    condition = alltrue([
      for a in ["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "metrics-server"] :
      can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", module.cluster.addon_configuration[a].version))
    ])
    error_message = "all five managed add-ons must be present with pinned versions"
  }
  assert {
    condition     = contains(keys(module.cluster.pod_identity_associations), "kube-system/aws-load-balancer-controller")
    error_message = "the AWS Load Balancer Controller must get its role through Pod Identity"
  }

  # --- secrets: containers only ---------------------------------------------------------
  assert {
    condition = module.secrets.secret_names == {
      "tmdb-api-key" = "netflix-clone/${var.environment}/tmdb-api-key"
      "secret-key"   = "netflix-clone/${var.environment}/secret-key"
    }
    error_message = "secrets must be netflix-clone/<env>/tmdb-api-key and netflix-clone/<env>/secret-key"
  }

  # --- app role: exactly its own secrets ------------------------------------------------
  assert {
    condition = (
      module.app_access.role_name == "netflix-clone-app-${var.environment}"
      && module.app_access.pod_identity.namespace == "netflix-clone-${var.environment}"
      && module.app_access.pod_identity.service_account == "netflix-clone"
    )
    error_message = "app role netflix-clone-app-<env> must be bound to netflix-clone-<env>/netflix-clone"
  }
  assert {
    condition = alltrue([
      for s in module.app_access.read_secrets_policy.Statement :
      s.Effect == "Allow" && (
        (flatten([s.Action]) == ["secretsmanager:GetSecretValue"]
        && toset(flatten([s.Resource])) == toset([output.tmdb_secret_arn, output.secret_key_secret_arn, output.database_secret_arn]))
        || (flatten([s.Action]) == ["kms:Decrypt"]
        && try(s.Condition.StringEquals["kms:ViaService"], "") == "secretsmanager.eu-west-1.amazonaws.com")
      )
    ])
    error_message = "the app role may only GetSecretValue on its own three secrets (and decrypt them via Secrets Manager)"
  }
  assert {
    condition = length([
      for s in module.app_access.read_secrets_policy.Statement : s
      if contains(flatten([s.Action]), "secretsmanager:GetSecretValue")
    ]) == 1
    error_message = "exactly one statement may grant GetSecretValue"
  }

  # --- data stores ----------------------------------------------------------------------
  assert {
    condition     = module.data_stores.db_multi_az == var.db_multi_az && module.data_stores.db_deletion_protection == var.db_deletion_protection
    error_message = "database Multi-AZ and deletion protection must follow the environment's settings"
  }
  assert {
    condition     = module.data_stores.cache_automatic_failover == (var.cache_nodes > 1)
    error_message = "cache automatic failover must be on exactly when there is a replica"
  }

  # --- outputs the pipeline reads -------------------------------------------------------
  assert {
    condition = alltrue([for o in [
      output.cluster_name, output.ecr_repository_url, output.app_role_arn, output.tmdb_secret_arn,
      output.secret_key_secret_arn, output.database_secret_arn, output.database_endpoint,
      output.redis_endpoint, output.region,
    ] : o != null && o != ""])
    error_message = "every output the pipeline needs must be set"
  }
}

# prod's guard rails are variable validations, so they hold whatever terraform.tfvars says.
run "prod_refuses_single_az_database" {
  command = plan

  variables {
    environment            = "prod"
    db_multi_az            = false
    db_deletion_protection = false
    node_min_size          = 1
    single_nat_gateway     = true
    db_skip_final_snapshot = false # valid, so that only the four above are refused
    cache_nodes            = 2
  }

  expect_failures = [var.db_multi_az, var.db_deletion_protection, var.node_min_size, var.single_nat_gateway]
}

run "public_endpoint_never_open_to_the_internet" {
  command = plan

  variables {
    endpoint_public_access = true
    public_access_cidrs    = ["0.0.0.0/0"]
  }

  expect_failures = [var.public_access_cidrs]
}
