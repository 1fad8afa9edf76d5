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

  public_host = "api.uat.example.com"

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
    condition     = module.cluster.cluster_name == "netflix-clone-${var.environment}" && module.cluster.kubernetes_version == "1.35"
    error_message = "cluster must be netflix-clone-<env> on Kubernetes 1.35 (tests/infra/test_versions.py checks it against EKS's calendar)"
  }
  assert {
    condition     = contains(module.cluster.addons["metrics-server"].configuration.tolerations, { key = "CriticalAddonsOnly", operator = "Exists" }) && module.cluster.addons["metrics-server"].version == "v0.8.0-eksbuild.1"
    error_message = "metrics-server must tolerate the system pool's CriticalAddonsOnly taint (the only nodes when Terraform creates it) and take EKS's default version for the cluster's Kubernetes version"
  }
  assert {
    condition     = module.cluster.service_ipv4_cidr == "172.20.0.0/16" && output.cluster_dns_ip == "172.20.0.10" && !strcontains(var.vpc_cidr, "172.20.")
    error_message = "the Service CIDR must be fixed (outside the VPC) so the cluster DNS address, its 10th address, is known to the NetworkPolicies"
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
      length(module.cluster.subnet_ids) > 0
      && length(setsubtract(module.cluster.subnet_ids, module.network.private_subnet_ids)) == 0
      && length(setintersection(module.cluster.subnet_ids, module.network.public_subnet_ids)) == 0
    )
    error_message = "the control plane ENIs and Auto Mode nodes must use private subnets only"
  }
  assert {
    condition = (
      module.cluster.auto_mode.compute_enabled && module.cluster.auto_mode.load_balancing_enabled
      && module.cluster.auto_mode.block_storage_enabled && module.cluster.auto_mode.self_managed_addons == false
      && module.cluster.auto_mode.node_pools == toset(["system"])
    )
    error_message = "EKS Auto Mode must run compute (system pool only; the app's NodePool is deploy/k8s/cluster), load balancing and block storage, with no self-managed add-ons"
  }
  assert {
    condition     = one([for k, r in module.cluster.api_ingress_rules : r.from_port == 443 && r.to_port == 443 && r.referenced_security_group_id == module.runner.security_group_id if k == "runner"])
    error_message = "the environment's runner must reach the cluster API on 443"
  }

  # --- runner: inside the VPC, only queued jobs of the release workflow ---------------------
  assert {
    condition     = length(setsubtract(module.runner.subnet_ids, module.network.private_subnet_ids)) == 0 && length(module.runner.subnet_ids) == 3
    error_message = "the runner must run in the environment's private subnets"
  }
  assert {
    condition = module.runner.webhook_filters == [[
      { type = "EVENT", pattern = "WORKFLOW_JOB_QUEUED" },
      { type = "WORKFLOW_NAME", pattern = "^deploy$" },
    ]]
    error_message = "the runner's webhook must start builds only for queued jobs of the deploy workflow (release.yml runs inside it)"
  }
  assert {
    condition = alltrue([
      for s in module.runner.runner_policy.Statement :
      !anytrue([for a in flatten([s.Action]) : startswith(a, "iam:") || startswith(a, "eks:") || startswith(a, "sts:") || a == "*"])
    ])
    error_message = "the runner's own role must not carry IAM, EKS or STS rights: jobs get AWS access through OIDC"
  }

  # --- every role carries the environment's permissions boundary ----------------------------
  assert {
    condition = alltrue([
      for b in values(output.role_permissions_boundaries) : b == "arn:aws:iam::111122223333:policy/netflix-clone-boundary-${var.environment}"
    ]) && length(output.role_permissions_boundaries) == 8
    error_message = "every IAM role of the environment must carry netflix-clone-boundary-<env>"
  }

  # --- values published for the release step ------------------------------------------------
  assert {
    condition = toset(output.published_parameters) == toset([
      "region", "cluster-name", "namespace", "vpc-cidr", "alb-subnets-cidr", "public-host", "certificate-arn",
      "database-host", "database-port", "database-name", "database-secret-arn", "database-app-user",
      "database-owner-user", "cluster-dns-ip", "redis-host",
      "redis-user", "redis-cache-name", "tmdb-secret-arn", "secret-key-secret-arn", "runner-project",
      "ecr-repository-url", "app-role-arn", "certificate-validation",
    ]) && output.parameter_path == "/netflix-clone/${var.environment}"
    error_message = "the release step's values must be published under /netflix-clone/<env>/"
  }

  # --- data stores: major version only, cache behind authentication ---------------------------
  assert {
    condition     = module.data_stores.db_engine_version == "16"
    error_message = "db_engine_version must be the major version 16, so an AWS minor upgrade is not planned as a downgrade"
  }
  assert {
    condition = (
      length(module.data_stores.cache_authentication.user_group_ids) == 1
      && module.data_stores.cache_authentication.default_user.access_string == "off -@all"
      && module.data_stores.cache_authentication.app_user.type == "iam"
      && module.data_stores.cache_authentication.app_user.name == "netflix-clone-${var.environment}-app"
    )
    error_message = "the cache must refuse the default user and admit the app's user through IAM authentication only"
  }
  assert {
    condition = (
      module.data_stores.cache_eviction.parameters["maxmemory-policy"] == "allkeys-lru"
      && module.data_stores.cache_eviction.group == "netflix-clone-${var.environment}-cache"
      && module.data_stores.cache_eviction.family == "valkey8"
    )
    error_message = "the cache must evict least recently used keys when full, through its own parameter group"
  }

  # --- secrets: containers only ---------------------------------------------------------
  assert {
    condition = module.secrets.secret_names == {
      "tmdb-api-key" = "netflix-clone/${var.environment}/tmdb-api-key"
      "secret-key"   = "netflix-clone/${var.environment}/secret-key"
    }
    error_message = "secrets must be netflix-clone/<env>/tmdb-api-key and netflix-clone/<env>/secret-key"
  }

  # --- app roles: exactly their own secrets and database user --------------------------------
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
        && toset(flatten([s.Resource])) == toset([output.tmdb_secret_arn, output.secret_key_secret_arn]))
        || (flatten([s.Action]) == ["kms:Decrypt"]
        && try(s.Condition.StringEquals["kms:ViaService"], "") == "secretsmanager.eu-west-1.amazonaws.com")
      )
    ])
    error_message = "the app role may only GetSecretValue on its own two secrets (and decrypt them via Secrets Manager): never the database's master secret"
  }
  assert {
    condition = (
      module.app_access.roles.app.database.Statement[0].Resource == ["arn:aws:rds-db:eu-west-1:111122223333:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXYZ/netflix_clone_${var.environment}_app"]
      && module.app_access.roles.migrate.database.Statement[0].Resource == ["arn:aws:rds-db:eu-west-1:111122223333:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXYZ/netflix_clone_${var.environment}_owner"]
      && module.app_access.roles.db_admin.database == null
    )
    error_message = "the app connects to its database as the app user, the migrations as the schema owner, both with IAM authentication and on this instance only"
  }
  assert {
    condition = [
      for role in ["app", "migrate", "db_admin"] :
      contains(flatten([for s in module.app_access.roles[role].read_secrets.Statement : s.Resource if s.Sid == "ReadOwnSecrets"]), output.database_secret_arn)
    ] == [false, false, true]
    error_message = "only the db-admin Job's role may read the RDS master secret"
  }
  assert {
    condition = (
      flatten([for s in module.app_access.roles.migrate.read_secrets.Statement : s.Resource if s.Sid == "ReadOwnSecrets"]) == [output.secret_key_secret_arn]
      && [for role in ["app", "migrate", "db_admin"] : module.app_access.roles[role].service_account] == ["netflix-clone", "netflix-clone-migrate", "netflix-clone-db-admin"]
    )
    error_message = "each pod kind has its own service account and role; the migration Job reads only the token-signing key"
  }
  assert {
    condition = [
      for s in module.app_access.connect_cache_policy.Statement :
      [s.Effect, flatten([s.Action]), toset(flatten([s.Resource]))]
    ] == [["Allow", ["elasticache:Connect"], toset(module.data_stores.cache_connect_arns)]]
    error_message = "the app role may connect only to its own cache, as its own user"
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
}

# prod's guard rails are variable validations of this module, so they hold for every caller.
run "prod_refuses_anything_less" {
  command = plan

  variables {
    environment            = "prod"
    db_multi_az            = false
    db_deletion_protection = false
    db_skip_final_snapshot = true
    single_nat_gateway     = true
    cache_nodes            = 1
    log_retention_days     = 14
  }

  expect_failures = [
    var.db_multi_az, var.db_deletion_protection, var.db_skip_final_snapshot,
    var.single_nat_gateway, var.cache_nodes, var.log_retention_days,
  ]
}
run "certificate_validated_in_route53_when_a_zone_is_given" {
  command = apply

  variables {
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  assert {
    condition     = length(aws_acm_certificate_validation.public) == 1 && length(aws_route53_record.certificate_validation) == length(aws_acm_certificate.public.domain_validation_options)
    error_message = "with a Route 53 zone, Terraform must write the validation records and wait for the certificate"
  }
  assert {
    condition     = aws_acm_certificate.public.validation_method == "DNS" && aws_acm_certificate.public.domain_name == var.public_host
    error_message = "the certificate must be for public_host, validated through DNS"
  }
}

run "certificate_records_are_an_output_without_a_zone" {
  command = apply

  assert {
    condition     = length(aws_acm_certificate_validation.public) == 0 && length(aws_route53_record.certificate_validation) == 0
    error_message = "without a zone, nothing may be written to Route 53"
  }
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

# AWS refuses support_type STANDARD for a version past its end of standard support; the plan
# stops before anything is created.
run "version_outside_standard_support_is_refused" {
  command = plan

  override_data {
    target = data.aws_eks_cluster_versions.configured[0]
    values = {
      cluster_versions = [{
        cluster_type                 = "eks"
        cluster_version              = "1.35"
        default_platform_version     = "eks.9"
        default_version              = false
        end_of_extended_support_date = "2028-03-27T00:00:00Z"
        end_of_standard_support_date = "2027-03-27T00:00:00Z"
        kubernetes_patch_version     = "1.35.9"
        release_date                 = "2026-01-27T00:00:00Z"
        version_status               = "EXTENDED_SUPPORT"
      }]
    }
  }

  expect_failures = [data.aws_eks_cluster_versions.configured]
}

run "public_record_follows_the_ingress_load_balancer" {
  command = apply

  variables {
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  override_data {
    target = data.aws_lbs.cluster
    values = { arns = ["arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-netflixc-0a1b2c/0123456789abcdef"] }
  }
  override_data {
    target = data.aws_lb.cluster
    values = {
      load_balancer_type = "application"
      internal           = false
      dns_name           = "k8s-netflixc-0a1b2c-123456789.eu-west-1.elb.amazonaws.com"
      zone_id            = "Z32O12XQLNTSW2"
    }
  }

  assert {
    condition = (
      aws_route53_record.public[0].name == var.public_host && aws_route53_record.public[0].type == "A"
      && aws_route53_record.public[0].alias[0].name == "k8s-netflixc-0a1b2c-123456789.eu-west-1.elb.amazonaws.com"
      && output.load_balancer_dns_name == "k8s-netflixc-0a1b2c-123456789.eu-west-1.elb.amazonaws.com"
    )
    error_message = "with a Route 53 zone and the ingress's ALB made, public_host must be an alias of that ALB"
  }
}

run "no_public_record_before_the_first_release" {
  command = apply

  variables {
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  assert {
    condition     = length(aws_route53_record.public) == 0 && output.load_balancer_dns_name == null
    error_message = "before the first release there is no load balancer to point public_host at"
  }
}
