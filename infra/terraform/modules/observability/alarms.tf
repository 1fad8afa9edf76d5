# Every alarm notifies the topic on ALARM and on OK, and names its runbook section in
# docs/operations.md (tests/infra/test_observability.py checks each has one). Alarms on the
# app's own metrics name metrics the app exports (tests/integration/test_metric_names.py).

# EKS Auto Mode creates the Ingress's ALB and tags it with the cluster's name. Until the first
# release has created it, the ALB alarms and widgets are left out (output alb_arn_suffix is
# null); the next apply (every release pipeline run) adds them.
data "aws_lbs" "app" {
  tags = { "eks:eks-cluster-name" = var.cluster_name }
}

locals {
  actions = [aws_sns_topic.alarms.arn]

  alb_arns   = sort(tolist(data.aws_lbs.app.arns))
  alb        = length(local.alb_arns) == 1 ? { app = regex("loadbalancer/(.+)$", local.alb_arns[0])[0] } : {}
  error_rate = 1 - var.slo.availability

  # Multi-window burn rates (Google SRE workbook): spending 2 % of a 30-day budget in an hour
  # (14.4x) pages at once; 5 % in six hours (6x) pages too. The short window makes an alarm
  # clear soon after the burning stops.
  burn_windows = {
    fast_long  = { seconds = 3600, burn = 14.4 }
    fast_short = { seconds = 300, burn = 14.4 }
    slow_long  = { seconds = 21600, burn = 6 }
    slow_short = { seconds = 1800, burn = 6 }
  }

  app_dimensions = { Namespace = var.namespace }

  runbook = "Runbook: docs/operations.md#alarm-"
}

# --- SLO: availability of the member API (non-5xx share of /api/* answers) -------------------

resource "aws_cloudwatch_metric_alarm" "slo_burn" {
  for_each = local.burn_windows

  alarm_name          = "${local.name}-slo-burn-${replace(each.key, "_", "-")}"
  alarm_description   = "Share of 5xx answers of /api/* over ${each.value.seconds / 60} min is ${each.value.burn}x the error budget's rate. Part of ${startswith(each.key, "fast") ? "slo-fast-burn" : "slo-slow-burn"}. ${local.runbook}${startswith(each.key, "fast") ? "slo-fast-burn" : "slo-slow-burn"}"
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.burn * local.error_rate
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "ratio"
    label       = "5xx share of /api/*"
    return_data = true
    # Too few requests say nothing about the budget: below 10 the ratio counts as 0.
    expression = "IF(total < 10, 0, errors / total)"
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = local.prometheus_namespace
      metric_name = "http_requests_total"
      dimensions  = merge(local.app_dimensions, { surface = "api", status_class = "5xx" })
      period      = each.value.seconds
      stat        = "Sum"
    }
  }
  metric_query {
    id = "total"
    metric {
      namespace   = local.prometheus_namespace
      metric_name = "http_requests_total"
      dimensions  = merge(local.app_dimensions, { surface = "api" })
      period      = each.value.seconds
      stat        = "Sum"
    }
  }

  tags = local.tags
}

resource "aws_cloudwatch_composite_alarm" "slo" {
  for_each = { fast = "slo-fast-burn", slow = "slo-slow-burn" }

  alarm_name        = "${local.name}-${each.value}"
  alarm_description = "The member API is spending its ${var.slo.availability * 100} % availability budget at ${local.burn_windows["${each.key}_long"].burn}x the sustainable rate (over ${local.burn_windows["${each.key}_long"].seconds / 3600} h and still in the last ${local.burn_windows["${each.key}_short"].seconds / 60} min). ${local.runbook}${each.value}"
  alarm_rule        = "ALARM(\"${aws_cloudwatch_metric_alarm.slo_burn["${each.key}_long"].alarm_name}\") AND ALARM(\"${aws_cloudwatch_metric_alarm.slo_burn["${each.key}_short"].alarm_name}\")"
  alarm_actions     = local.actions
  ok_actions        = local.actions
  tags              = local.tags
}

# --- SLO: latency (exact percentiles of the access log's duration_ms) -------------------------

resource "aws_cloudwatch_metric_alarm" "latency" {
  for_each = {
    browse-p99 = {
      metric    = aws_cloudwatch_log_metric_filter.request_duration.metric_transformation[0].name
      dims      = merge(local.app_dimensions, { method = "GET", route = "/api/browse" })
      threshold = var.slo.browse_p99_ms
      what      = "p99 of GET /api/browse"
    }
    heartbeat-p99 = {
      metric    = aws_cloudwatch_log_metric_filter.heartbeat_duration.metric_transformation[0].name
      dims      = local.app_dimensions
      threshold = var.slo.heartbeat_p99_ms
      what      = "p99 of the playback heartbeat (PUT /api/profile/progress/*)"
    }
  }

  alarm_name          = "${local.name}-latency-${each.key}"
  alarm_description   = "${each.value.what} above ${each.value.threshold} ms in 3 of the last 3 five-minute periods. ${local.runbook}latency-${each.key}"
  namespace           = local.access_log_namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dims
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  unit                = "Milliseconds"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = local.tags
}

# --- The load balancer (once Auto Mode has created it) --------------------------------------

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  for_each = local.alb

  alarm_name          = "${local.name}-alb-5xx"
  alarm_description   = "More than 1 % of the ALB's answers were 5xx (its own 502/503/504 and the targets') in 2 of the last 3 five-minute periods. ${local.runbook}alb-5xx"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.01
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "ratio"
    label       = "5xx share at the ALB"
    return_data = true
    expression  = "IF(requests < ${var.slo.min_requests_per_5m}, 0, (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests)"
  }
  dynamic "metric_query" {
    for_each = { requests = "RequestCount", elb5xx = "HTTPCode_ELB_5XX_Count", target5xx = "HTTPCode_Target_5XX_Count" }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        dimensions  = { LoadBalancer = each.value }
        period      = 300
        stat        = "Sum"
      }
    }
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_target_p99" {
  for_each = local.alb

  alarm_name          = "${local.name}-alb-target-p99"
  alarm_description   = "p99 of the targets' response time at the ALB above ${var.slo.alb_target_p99_ms} ms in 3 of the last 3 five-minute periods. ${local.runbook}alb-target-p99"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = each.value }
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.slo.alb_target_p99_ms / 1000
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_unhealthy_targets" {
  for_each = local.alb

  alarm_name          = "${local.name}-alb-unhealthy-targets"
  alarm_description   = "A target of the app's target group failed the ALB's /readyz check for 3 minutes in a row. ${local.runbook}alb-unhealthy-targets"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  # The target group's name is Auto Mode's too: a Metrics Insights query needs only the ALB.
  metric_query {
    id          = "unhealthy"
    return_data = true
    period      = 60
    expression  = "SELECT MAX(UnHealthyHostCount) FROM SCHEMA(\"AWS/ApplicationELB\", LoadBalancer, TargetGroup) WHERE LoadBalancer = '${each.value}'"
  }

  tags = local.tags
}

# --- Pods and nodes (Container Insights with enhanced observability) ------------------------

resource "aws_cloudwatch_metric_alarm" "pods" {
  for_each = {
    pod-restarts = {
      metric = "pod_number_of_container_restarts"
      what   = "A container of the app restarted (the count stays up while that pod lives)"
    }
    pod-oom-killed = {
      metric = "pod_container_status_terminated_reason_oom_killed"
      what   = "A container of the app was killed for exceeding its memory limit"
    }
  }

  alarm_name          = "${local.name}-${each.key}"
  alarm_description   = "${each.value.what}. ${local.runbook}${each.key}"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  # Pod names change with every rollout: the query covers whichever pods the namespace has.
  metric_query {
    id          = "pods"
    return_data = true
    period      = 300
    expression  = "SELECT MAX(${each.value.metric}) FROM SCHEMA(ContainerInsights, ClusterName, Namespace, PodName) WHERE ClusterName = '${var.cluster_name}' AND Namespace = '${var.namespace}'"
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "node_pressure" {
  alarm_name          = "${local.name}-node-pressure"
  alarm_description   = "A node reports a failing condition (memory, disk or PID pressure, or not ready) for 5 minutes. ${local.runbook}node-pressure"
  namespace           = "ContainerInsights"
  metric_name         = "cluster_failed_node_count"
  dimensions          = { ClusterName = var.cluster_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = local.tags
}

# --- Database and cache ----------------------------------------------------------------------

locals {
  cache_replicated = length(var.targets.cache_member_clusters) > 1

  aws_alarms = merge(
    {
      rds-cpu = {
        runbook   = "rds-cpu"
        namespace = "AWS/RDS", metric = "CPUUtilization", stat = "Average", period = 300, periods = 3
        dims      = { DBInstanceIdentifier = var.targets.db_instance_id }
        operator  = "GreaterThanThreshold", threshold = 80, missing = "missing"
        what      = "Database CPU above 80 % for 15 minutes"
      }
      rds-free-storage = {
        runbook   = "rds-free-storage"
        namespace = "AWS/RDS", metric = "FreeStorageSpace", stat = "Minimum", period = 300, periods = 1
        dims      = { DBInstanceIdentifier = var.targets.db_instance_id }
        operator  = "LessThanThreshold", threshold = floor(var.targets.db_allocated_storage_gib * 0.2 * 1073741824), missing = "missing"
        what      = "Less than 20 % of the database's ${var.targets.db_allocated_storage_gib} GiB left"
      }
      rds-connections = {
        runbook   = "rds-connections"
        namespace = "AWS/RDS", metric = "DatabaseConnections", stat = "Maximum", period = 60, periods = 5
        dims      = { DBInstanceIdentifier = var.targets.db_instance_id }
        operator  = "GreaterThanThreshold", threshold = var.db_connections_threshold, missing = "missing"
        what      = "More than ${var.db_connections_threshold} database connections for 5 minutes"
      }
      certificate-expiry = {
        runbook   = "certificate-expiry"
        namespace = "AWS/CertificateManager", metric = "DaysToExpiry", stat = "Minimum", period = 86400, periods = 1
        dims      = { CertificateArn = var.targets.certificate_arn }
        operator  = "LessThanThreshold", threshold = 30, missing = "notBreaching"
        what      = "The API's certificate expires in less than 30 days (ACM renews DNS-validated ones 60 days ahead)"
      }
    },
    { for id in var.targets.db_read_replica_ids : "rds-replica-lag-${id}" => {
      runbook   = "rds-replica-lag"
      namespace = "AWS/RDS", metric = "ReplicaLag", stat = "Maximum", period = 60, periods = 5
      dims      = { DBInstanceIdentifier = id }
      operator  = "GreaterThanThreshold", threshold = 30, missing = "missing"
      what      = "Read replica ${id} more than 30 s behind for 5 minutes"
    } },
    merge([for node in var.targets.cache_member_clusters : merge(
      {
        "cache-memory-${node}" = {
          runbook   = "cache-memory"
          namespace = "AWS/ElastiCache", metric = "DatabaseMemoryUsagePercentage", stat = "Maximum", period = 300, periods = 2
          dims      = { CacheClusterId = node }
          operator  = "GreaterThanThreshold", threshold = 90, missing = "missing"
          what      = "Cache node ${node} above 90 % of maxmemory for 10 minutes (LRU eviction takes over)"
        }
        "cache-evictions-${node}" = {
          runbook   = "cache-evictions"
          namespace = "AWS/ElastiCache", metric = "Evictions", stat = "Sum", period = 300, periods = 3
          dims      = { CacheClusterId = node }
          operator  = "GreaterThanThreshold", threshold = 1000, missing = "notBreaching"
          what      = "Cache node ${node} evicted more than 1000 keys per 5 minutes for 15 minutes"
        }
      },
      # Only replicas report ReplicationLag; whichever node is primary after a failover is silent.
      local.cache_replicated ? {
        "cache-replication-lag-${node}" = {
          runbook   = "cache-replication-lag"
          namespace = "AWS/ElastiCache", metric = "ReplicationLag", stat = "Maximum", period = 60, periods = 5
          dims      = { CacheClusterId = node }
          operator  = "GreaterThanThreshold", threshold = 5, missing = "notBreaching"
          what      = "Cache replica ${node} more than 5 s behind its primary for 5 minutes"
        }
      } : {},
    )]...),
  )
}

resource "aws_cloudwatch_metric_alarm" "aws" {
  for_each = local.aws_alarms

  alarm_name          = "${local.name}-${each.key}"
  alarm_description   = "${each.value.what}. ${local.runbook}${each.value.runbook}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dims
  statistic           = each.value.stat
  period              = each.value.period
  evaluation_periods  = each.value.periods
  datapoints_to_alarm = each.value.periods
  comparison_operator = each.value.operator
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = local.tags
}

# --- The app's dependencies, from its own metrics ---------------------------------------------

resource "aws_cloudwatch_metric_alarm" "breaker_open" {
  for_each = toset(["database", "redis"])

  alarm_name          = "${local.name}-breaker-open-${each.key}"
  alarm_description   = "The ${each.key} circuit breaker of at least one worker stayed open for 3 minutes: calls to ${each.key} are refused at once. ${local.runbook}breaker-open"
  namespace           = local.prometheus_namespace
  metric_name         = "dependency_breaker_open"
  dimensions          = merge(local.app_dimensions, { dependency = each.key })
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "redis_fallbacks" {
  alarm_name          = "${local.name}-redis-fallbacks"
  alarm_description   = "More than 10 calls per 5 minutes served by in-process fallbacks because Redis was not, in 2 of the last 3 periods. ${local.runbook}redis-fallbacks"
  namespace           = local.prometheus_namespace
  metric_name         = "redis_fallbacks_total"
  dimensions          = local.app_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 10
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "tmdb_errors" {
  alarm_name          = "${local.name}-tmdb-upstream-errors"
  alarm_description   = "More than 10 % of the calls to TMDB failed (timeouts, connection errors, 429 and 5xx) in 2 of the last 3 five-minute periods, with at least 20 calls. ${local.runbook}tmdb-upstream-errors"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.1
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "ratio"
    label       = "failed share of TMDB calls"
    return_data = true
    expression  = "IF(FILL(ok, 0) + FILL(failed, 0) < 20, 0, FILL(failed, 0) / (FILL(ok, 0) + FILL(failed, 0)))"
  }
  dynamic "metric_query" {
    for_each = { ok = "ok", failed = "error" }
    content {
      id = metric_query.key
      metric {
        namespace   = local.prometheus_namespace
        metric_name = "tmdb_upstream_requests_total"
        dimensions  = merge(local.app_dimensions, { outcome_class = metric_query.value })
        period      = 300
        stat        = "Sum"
      }
    }
  }

  tags = local.tags
}

locals {
  # Every metric alarm, the burn-rate windows included (output managed_names: the deploy role
  # must be allowed each name; tests/infra/test_deploy_permissions.py checks none is left out).
  metric_alarms = concat(
    values(aws_cloudwatch_metric_alarm.slo_burn), values(aws_cloudwatch_metric_alarm.latency),
    values(aws_cloudwatch_metric_alarm.alb_5xx), values(aws_cloudwatch_metric_alarm.alb_target_p99),
    values(aws_cloudwatch_metric_alarm.alb_unhealthy_targets), values(aws_cloudwatch_metric_alarm.pods),
    [aws_cloudwatch_metric_alarm.node_pressure], values(aws_cloudwatch_metric_alarm.aws),
    values(aws_cloudwatch_metric_alarm.breaker_open),
    [aws_cloudwatch_metric_alarm.redis_fallbacks, aws_cloudwatch_metric_alarm.tmdb_errors],
  )
}
