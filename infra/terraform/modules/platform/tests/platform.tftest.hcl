# The shared assertions of every environment: plans and applies modules/platform against the
# mocked AWS provider (offline: nothing is created) with dev-, uat- and prod-like values. What a
# particular environment's values amount to is asserted by envs/<env>/tests.

mock_provider "aws" {
  source = "./tests/mocks"
}

# uat-like: production's topology (NAT per AZ, cache replica, deletion protection), single-AZ database.
variables {
  environment = "uat"
  region      = "eu-west-1"
  vpc_cidr    = "10.20.0.0/16"

  single_nat_gateway = false

  node_instance_types = ["t3.large"]
  node_min_size       = 2
  node_desired_size   = 2
  node_max_size       = 4

  db_instance_class        = "db.t4g.small"
  db_multi_az              = false
  db_deletion_protection   = true
  db_backup_retention_days = 7
  db_skip_final_snapshot   = false

  cache_node_type = "cache.t4g.small"
  cache_nodes     = 2
}

# Properties that hold whatever the environment: checked once, on the uat-like values.
run "invariants" {
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
      output.redis_endpoint, output.region, output.vpc_id, output.namespace,
    ] : o != null && o != ""])
    error_message = "every output the pipeline needs must be set"
  }
}

# dev-like: the cheap end of every switch.
run "dev_like_values" {
  command = plan

  variables {
    environment              = "dev"
    vpc_cidr                 = "10.10.0.0/16"
    single_nat_gateway       = true
    node_instance_types      = ["t3.medium"]
    node_max_size            = 3
    db_instance_class        = "db.t4g.micro"
    db_deletion_protection   = false
    db_backup_retention_days = 1
    db_skip_final_snapshot   = true
    cache_node_type          = "cache.t4g.micro"
    cache_nodes              = 1
  }

  assert {
    condition     = length(module.network.nat_gateway_ids) == 1 && length(module.network.private_subnet_ids) == 3
    error_message = "single_nat_gateway must give one NAT gateway for all three private subnets"
  }
  assert {
    condition     = !module.data_stores.db_multi_az && !module.data_stores.db_deletion_protection && !module.data_stores.cache_automatic_failover
    error_message = "a single-AZ, unprotected database and a cache without replica must be possible outside prod"
  }
}

# prod-like: the strict end of every switch, which prod's validations require.
run "prod_like_values" {
  command = plan

  variables {
    environment              = "prod"
    vpc_cidr                 = "10.30.0.0/16"
    node_instance_types      = ["m6i.large"]
    node_min_size            = 3
    node_desired_size        = 3
    node_max_size            = 9
    db_instance_class        = "db.m6g.large"
    db_allocated_storage_gib = 50
    db_multi_az              = true
    db_backup_retention_days = 14
    cache_node_type          = "cache.m6g.large"
    cache_nodes              = 3
  }

  assert {
    condition     = length(module.network.nat_gateway_ids) == 3
    error_message = "prod-like values must give a NAT gateway per AZ"
  }
  assert {
    condition     = module.data_stores.db_multi_az && module.data_stores.db_deletion_protection && module.data_stores.cache_automatic_failover
    error_message = "prod-like values must give a Multi-AZ, deletion-protected database and a cache with failover"
  }
  assert {
    condition     = output.topology.node_min_size == 3 && output.topology.node_max_size == 9
    error_message = "the node group must be sized by node_min_size and node_max_size"
  }
}

# prod's guard rails are variable validations of this module, so they hold for every caller.
run "prod_refuses_anything_less" {
  command = plan

  variables {
    environment            = "prod"
    db_multi_az            = false
    db_deletion_protection = false
    db_skip_final_snapshot = true
    node_min_size          = 1
    single_nat_gateway     = true
    cache_nodes            = 1
  }

  expect_failures = [
    var.db_multi_az, var.db_deletion_protection, var.db_skip_final_snapshot,
    var.node_min_size, var.single_nat_gateway, var.cache_nodes,
  ]
}
run "public_endpoint_never_open_to_the_internet" {
  command = plan

  variables {
    endpoint_public_access = true
    public_access_cidrs    = ["0.0.0.0/0"]
  }

  expect_failures = [var.public_access_cidrs]
}

run "region_must_be_the_providers" {
  command = plan

  variables {
    region = "us-east-1" # the mocked provider is in eu-west-1
  }

  expect_failures = [data.aws_availability_zones.available]
}
