# modules/observability against the mocked AWS provider (offline: nothing is created). What every
# environment root ends up with is asserted by envs/<env>/tests/observability.tftest.hcl.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  environment    = "uat"
  cluster_name   = "netflix-clone-uat"
  namespace      = "netflix-clone-uat"
  parameter_path = "/netflix-clone/uat"
  targets = {
    db_instance_id             = "netflix-clone-uat"
    db_allocated_storage_gib   = 20
    db_read_replica_ids        = []
    cache_replication_group_id = "netflix-clone-uat"
    cache_member_clusters      = ["netflix-clone-uat-001", "netflix-clone-uat-002"]
    certificate_arn            = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
  }
  alarm_subscriptions      = [{ protocol = "email", endpoint = "oncall@example.com" }]
  db_connections_threshold = 150
  permissions_boundary_arn = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-uat"
}

run "before_the_first_release" {
  command = apply


  # --- logs --------------------------------------------------------------------------------
  assert {
    condition     = output.app_log_group_name == "/aws/containerinsights/netflix-clone-uat/application"
    error_message = "the add-on's Fluent Bit writes the pods' logs to /aws/containerinsights/<cluster>/application"
  }
  assert {
    condition = alltrue([for g in values(output.log_groups) :
    g.retention_in_days == 365 && g.kms_key_id == module.log_key.arn])
    error_message = "every log group needs retention and the module's KMS log key"
  }
  assert {
    condition     = toset(keys(output.log_groups)) == toset(["application", "dataplane", "host", "performance", "prometheus"])
    error_message = "every group an agent writes to is created first (agents create missing ones bare)"
  }
  assert {
    condition     = aws_eks_addon.cloudwatch_observability.addon_name == "amazon-cloudwatch-observability" && one(aws_eks_addon.cloudwatch_observability.pod_identity_association).service_account == "cloudwatch-agent"
    error_message = "the add-on gets its rights through Pod Identity on its cloudwatch-agent service account"
  }
  assert {
    condition     = jsondecode(aws_eks_addon.cloudwatch_observability.configuration_values).containerLogs.enabled && jsondecode(aws_eks_addon.cloudwatch_observability.configuration_values).agent.config.logs.metrics_collected.kubernetes.enhanced_container_insights
    error_message = "the add-on must ship container logs and enhanced Container Insights (restarts, OOM kills, node conditions)"
  }
  assert {
    condition     = aws_eks_pod_identity_association.metrics_collector.namespace == "netflix-clone-metrics" && aws_eks_pod_identity_association.metrics_collector.service_account == "cwagent-prometheus"
    error_message = "the Prometheus collector's role is bound to deploy/k8s/cluster/metrics-collector's service account"
  }
  assert {
    condition     = alltrue([for b in values(output.permissions_boundaries) : b == var.permissions_boundary_arn])
    error_message = "every role carries the environment's permissions boundary"
  }
  assert {
    condition = alltrue(flatten([
      for role, policy in output.role_policies : [
        for s in policy.Statement : [
          for r in flatten([s.Resource]) :
          r == "*" || startswith(r, "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/containerinsights/netflix-clone-uat/")
        ]
      ]
    ]))
    error_message = "the collectors' roles name only the environment's own Container Insights log groups (the boundary allows /aws/*netflix-clone-<env>* only)"
  }
  assert {
    condition     = output.role_policies["netflix-clone-uat-metrics-collector"].Statement[0].Resource == ["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/containerinsights/netflix-clone-uat/prometheus", "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/containerinsights/netflix-clone-uat/prometheus:log-stream:*"]
    error_message = "the Prometheus collector writes its own log group and nothing else"
  }
  assert {
    # The deploy role creates KMS keys only with environment=<env> in the request; the boundary
    # denies what is tagged for another environment.
    condition = alltrue(concat(
      [for t in [aws_kms_key.alarms.tags, aws_sns_topic.alarms.tags, aws_s3_bucket.alb_logs.tags, aws_iam_role.cloudwatch_agent.tags,
        aws_iam_role.metrics_collector.tags, aws_eks_addon.cloudwatch_observability.tags, aws_eks_pod_identity_association.metrics_collector.tags,
      aws_ssm_parameter.alb_log_bucket.tags] : t["environment"] == "uat"],
      [for g in aws_cloudwatch_log_group.this : g.tags["environment"] == "uat"],
      [for a in aws_cloudwatch_composite_alarm.slo : a.tags["environment"] == "uat"],
      [for a in aws_cloudwatch_metric_alarm.slo_burn : a.tags["environment"] == "uat"],
    ))
    error_message = "every taggable resource of the module carries environment=<env> whatever the caller's default_tags"
  }

  # --- topic and alarms ----------------------------------------------------------------------
  assert {
    condition     = aws_sns_topic.alarms.name == "netflix-clone-uat-alarms" && aws_sns_topic.alarms.kms_master_key_id == aws_kms_key.alarms.arn
    error_message = "one encrypted alarm topic per environment"
  }
  assert {
    condition     = output.alarm_subscriptions == [{ protocol = "email", endpoint = "oncall@example.com" }]
    error_message = "the topic notifies exactly the given subscriptions"
  }
  assert {
    condition = length(setsubtract(toset([
      "slo-fast-burn", "slo-slow-burn", "latency-browse-p99", "latency-heartbeat-p99", "pod-restarts",
      "pod-oom-killed", "node-pressure", "rds-cpu", "rds-free-storage", "rds-connections", "cache-memory",
      "cache-evictions", "cache-replication-lag", "breaker-open", "redis-fallbacks", "tmdb-upstream-errors",
      "certificate-expiry",
    ]), toset(values(output.alarm_names)))) == 0
    error_message = "an alarm the runbook lists is missing"
  }
  assert {
    condition     = length([for k in values(output.alarm_names) : k if startswith(k, "alb-")]) == 0 && output.alb_arn_suffix == null
    error_message = "without the Ingress's ALB there is nothing to alarm on at the load balancer yet"
  }
  assert {
    condition     = output.alarms_notify_topic
    error_message = "every paging alarm must notify the topic on ALARM and OK"
  }
  assert {
    condition     = length([for k, v in output.alarm_names : k if v == "cache-replication-lag"]) == 2
    error_message = "each member of a replicated cache gets a replication-lag alarm"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.slo_burn["fast_long"].threshold == 14.4 * (1 - var.slo.availability) && aws_cloudwatch_metric_alarm.slo_burn["slow_long"].threshold == 6 * (1 - var.slo.availability)
    error_message = "burn-rate thresholds follow the SLO (14.4x fast, 6x slow)"
  }

  # --- dashboard and access logs ---------------------------------------------------------------
  assert {
    condition     = output.dashboard_name == "netflix-clone-uat" && length(output.dashboard_widget_titles) >= 12
    error_message = "the dashboard has the app's and the platform's widgets"
  }
  assert {
    condition     = output.alb_log_lifecycle_days == 90 && aws_ssm_parameter.alb_log_bucket.name == "/netflix-clone/uat/alb-log-bucket"
    error_message = "ALB access logs expire and their bucket is published for the release step"
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.alb_logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256" && aws_s3_bucket_public_access_block.alb_logs.restrict_public_buckets
    error_message = "the access-log bucket is private and SSE-S3 encrypted (the only encryption ALB logging accepts)"
  }
}

run "after_the_first_release" {
  command = apply

  override_data {
    target = data.aws_lbs.app
    values = { arns = ["arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-netflixc-netflixc-0123456789/0123456789abcdef"] }
  }

  assert {
    condition     = output.alb_arn_suffix == "app/k8s-netflixc-netflixc-0123456789/0123456789abcdef"
    error_message = "the LoadBalancer dimension is the ARN's suffix after loadbalancer/"
  }
  assert {
    condition     = length(setsubtract(toset(["alb-5xx", "alb-target-p99", "alb-unhealthy-targets"]), toset(values(output.alarm_names)))) == 0
    error_message = "once the ALB exists, its alarms follow"
  }
  assert {
    condition     = contains(output.dashboard_widget_titles, "Load balancer: requests, 5xx and target p99 (s)")
    error_message = "once the ALB exists, the dashboard shows it"
  }
}

run "single_node_cache_has_no_replication_lag_alarm" {
  command = plan


  variables {
    environment = "dev"
    targets = {
      db_instance_id             = "netflix-clone-dev"
      db_allocated_storage_gib   = 20
      db_read_replica_ids        = []
      cache_replication_group_id = "netflix-clone-dev"
      cache_member_clusters      = ["netflix-clone-dev-001"]
      certificate_arn            = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
    }
    alarm_subscriptions = []
  }

  assert {
    condition     = length([for k in keys(aws_cloudwatch_metric_alarm.aws) : k if startswith(k, "cache-replication-lag")]) == 0
    error_message = "a cache without replicas has no replication lag to watch"
  }
  assert {
    condition     = length(aws_sns_topic_subscription.alarms) == 0
    error_message = "dev notifies nobody by default"
  }
}

run "prod_must_notify_someone" {
  command = plan

  variables {
    environment         = "prod"
    alarm_subscriptions = []
  }

  expect_failures = [var.alarm_subscriptions]
}
