# Latency from the access log: the collector cannot carry Prometheus histograms into CloudWatch
# (the CloudWatch agent drops them), while every access-log line holds the request's duration,
# and CloudWatch computes exact percentiles over those raw values (per route, with p50..p99.9).

locals {
  access_line = "$.log_processed.logger = \"netflix_clone.access\" && $.kubernetes.namespace_name = \"${var.namespace}\""
}

resource "aws_cloudwatch_log_metric_filter" "request_duration" {
  name           = "${local.name}-request-duration"
  log_group_name = aws_cloudwatch_log_group.this["application"].name
  pattern        = "{ ${local.access_line} }"

  metric_transformation {
    name      = "request_duration_ms"
    namespace = local.access_log_namespace
    value     = "$.log_processed.duration_ms"
    unit      = "Milliseconds"
    dimensions = {
      Namespace = "$.kubernetes.namespace_name"
      method    = "$.log_processed.method"
      route     = "$.log_processed.route"
    }
  }
}

# The playback heartbeat's three routes (movie, series, legacy) as one series, so one p99
# covers them all.
resource "aws_cloudwatch_log_metric_filter" "heartbeat_duration" {
  name           = "${local.name}-heartbeat-duration"
  log_group_name = aws_cloudwatch_log_group.this["application"].name
  pattern        = "{ ${local.access_line} && $.log_processed.method = \"PUT\" && $.log_processed.route = \"/api/profile/progress/*\" }"

  metric_transformation {
    name      = "heartbeat_duration_ms"
    namespace = local.access_log_namespace
    value     = "$.log_processed.duration_ms"
    unit      = "Milliseconds"
    dimensions = {
      Namespace = "$.kubernetes.namespace_name"
    }
  }
}

locals {
  ns_filter = "Namespace=\"${var.namespace}\""
  prom      = local.prometheus_namespace

  # SEARCH finds every series of a metric whatever its label values (routes, outcomes, pods).
  search = {
    requests_by_class = "SEARCH('{${local.prom},Namespace,surface,status_class} MetricName=\"http_requests_total\" ${local.ns_filter} surface=\"api\"', 'Sum', 60)"
    requests_by_route = "SEARCH('{${local.prom},Namespace,method,route,status_class} MetricName=\"http_requests_total\" ${local.ns_filter} status_class=\"5xx\"', 'Sum', 60)"
    p50_by_route      = "SEARCH('{${local.access_log_namespace},Namespace,method,route} MetricName=\"request_duration_ms\" ${local.ns_filter}', 'p50', 300)"
    p99_by_route      = "SEARCH('{${local.access_log_namespace},Namespace,method,route} MetricName=\"request_duration_ms\" ${local.ns_filter}', 'p99', 300)"
    cache             = "SEARCH('{${local.prom},Namespace,result} MetricName=\"catalog_cache_total\" ${local.ns_filter}', 'Sum', 300)"
    breakers          = "SEARCH('{${local.prom},Namespace,dependency} MetricName=\"dependency_breaker_open\" ${local.ns_filter}', 'Maximum', 60)"
    trips             = "SEARCH('{${local.prom},Namespace,dependency} MetricName=\"dependency_breaker_trips_total\" ${local.ns_filter}', 'Sum', 300)"
    fallbacks         = "SEARCH('{${local.prom},Namespace,use} MetricName=\"redis_fallbacks_total\" ${local.ns_filter}', 'Sum', 300)"
    tmdb              = "SEARCH('{${local.prom},Namespace,outcome} MetricName=\"tmdb_upstream_requests_total\" ${local.ns_filter}', 'Sum', 300)"
    pod_cpu           = "SEARCH('{ContainerInsights,ClusterName,Namespace,PodName} MetricName=\"pod_cpu_utilization\" ClusterName=\"${var.cluster_name}\" ${local.ns_filter}', 'Average', 60)"
    pod_memory        = "SEARCH('{ContainerInsights,ClusterName,Namespace,PodName} MetricName=\"pod_memory_utilization\" ClusterName=\"${var.cluster_name}\" ${local.ns_filter}', 'Average', 60)"
    node_cpu          = "SEARCH('{ContainerInsights,ClusterName,InstanceId,NodeName} MetricName=\"node_cpu_utilization\" ClusterName=\"${var.cluster_name}\"', 'Average', 60)"
    node_memory       = "SEARCH('{ContainerInsights,ClusterName,InstanceId,NodeName} MetricName=\"node_memory_utilization\" ClusterName=\"${var.cluster_name}\"', 'Average', 60)"
  }

  widget = { width = 12, height = 6 }

  app_widgets = [
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title   = "Member API requests per minute by status class", region = local.region, view = "timeSeries", stacked = true
        metrics = [[{ expression = local.search.requests_by_class, id = "r", label = "" }]]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "5xx share of the member API (error budget ${format("%.2f", local.error_rate * 100)} %)", region = local.region, view = "timeSeries"
        metrics = [
          [{ expression = "IF(total < 10, 0, errors / total) * 100", id = "ratio", label = "5xx %" }],
          [local.prom, "http_requests_total", "Namespace", var.namespace, "surface", "api", "status_class", "5xx", { id = "errors", stat = "Sum", period = 300, visible = false }],
          [local.prom, "http_requests_total", "Namespace", var.namespace, "surface", "api", { id = "total", stat = "Sum", period = 300, visible = false }],
        ]
        annotations = { horizontal = [{ label = "fast burn (14.4x)", value = 14.4 * local.error_rate * 100 }] }
        yAxis       = { left = { min = 0 } }
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "SLO latency: p99 of GET /api/browse and of the heartbeat (ms)", region = local.region, view = "timeSeries"
        metrics = [
          [local.access_log_namespace, "request_duration_ms", "Namespace", var.namespace, "method", "GET", "route", "/api/browse", { stat = "p99", period = 300, label = "GET /api/browse p99" }],
          [local.access_log_namespace, "heartbeat_duration_ms", "Namespace", var.namespace, { stat = "p99", period = 300, label = "heartbeat p99" }],
        ]
        annotations = { horizontal = [
          { label = "browse SLO", value = var.slo.browse_p99_ms },
          { label = "heartbeat SLO", value = var.slo.heartbeat_p99_ms },
        ] }
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title   = "5xx per minute by route", region = local.region, view = "timeSeries", stacked = true
        metrics = [[{ expression = local.search.requests_by_route, id = "r5", label = "" }]]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title   = "Latency p50 by route (ms)", region = local.region, view = "timeSeries"
        metrics = [[{ expression = local.search.p50_by_route, id = "p50", label = "" }]]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title   = "Latency p99 by route (ms)", region = local.region, view = "timeSeries"
        metrics = [[{ expression = local.search.p99_by_route, id = "p99", label = "" }]]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "Catalog cache lookups and hit rate", region = local.region, view = "timeSeries"
        metrics = [
          [{ expression = local.search.cache, id = "lookups", label = "" }],
          [{ expression = "100 * FILL(hit, 0) / (FILL(hit, 0) + FILL(stale, 0) + FILL(miss, 0))", id = "rate", label = "hit rate %", yAxis = "right" }],
          [local.prom, "catalog_cache_total", "Namespace", var.namespace, "result", "hit", { id = "hit", stat = "Sum", period = 300, visible = false }],
          [local.prom, "catalog_cache_total", "Namespace", var.namespace, "result", "stale", { id = "stale", stat = "Sum", period = 300, visible = false }],
          [local.prom, "catalog_cache_total", "Namespace", var.namespace, "result", "miss", { id = "miss", stat = "Sum", period = 300, visible = false }],
        ]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "Circuit breakers: open (1) and trips", region = local.region, view = "timeSeries"
        metrics = [
          [{ expression = local.search.breakers, id = "open", label = "" }],
          [{ expression = local.search.trips, id = "trips", label = "", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "Redis fallbacks and TMDB calls by outcome", region = local.region, view = "timeSeries"
        metrics = [
          [{ expression = local.search.fallbacks, id = "fallbacks", label = "" }],
          [{ expression = local.search.tmdb, id = "tmdb", label = "", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "Database pool: connections in use (busiest pod, all pods) and at RDS", region = local.region, view = "timeSeries"
        metrics = [
          [local.prom, "db_pool_connections_in_use", "Namespace", var.namespace, { stat = "Maximum", period = 60, label = "busiest pod" }],
          [local.prom, "db_pool_connections_in_use", "Namespace", var.namespace, { stat = "Sum", period = 60, label = "all pods" }],
          ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.targets.db_instance_id, { stat = "Maximum", period = 60, label = "RDS connections" }],
        ]
      }
    },
  ]

  platform_widgets = [
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "Pods: running, CPU and memory utilization (% of limit)", region = local.region, view = "timeSeries"
        metrics = [
          ["ContainerInsights", "namespace_number_of_running_pods", "ClusterName", var.cluster_name, "Namespace", var.namespace, { stat = "Minimum", period = 60, label = "running pods", yAxis = "right" }],
          [{ expression = local.search.pod_cpu, id = "cpu", label = "" }],
          [{ expression = local.search.pod_memory, id = "mem", label = "" }],
        ]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "Nodes: count, failed, CPU and memory utilization", region = local.region, view = "timeSeries"
        metrics = [
          ["ContainerInsights", "cluster_node_count", "ClusterName", var.cluster_name, { stat = "Maximum", period = 60, label = "nodes", yAxis = "right" }],
          ["ContainerInsights", "cluster_failed_node_count", "ClusterName", var.cluster_name, { stat = "Maximum", period = 60, label = "failed nodes", yAxis = "right" }],
          [{ expression = local.search.node_cpu, id = "ncpu", label = "" }],
          [{ expression = local.search.node_memory, id = "nmem", label = "" }],
        ]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "Database: CPU % and free storage (GiB)", region = local.region, view = "timeSeries"
        metrics = [
          ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.targets.db_instance_id, { stat = "Average", period = 300 }],
          [{ expression = "free / 1073741824", id = "gib", label = "free storage GiB", yAxis = "right" }],
          ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.targets.db_instance_id, { id = "free", stat = "Minimum", period = 300, visible = false }],
        ]
      }
    },
    {
      type = "metric", width = local.widget.width, height = local.widget.height
      properties = {
        title = "Cache: memory % of maxmemory and evictions", region = local.region, view = "timeSeries"
        metrics = concat(
          [for node in var.targets.cache_member_clusters : ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", node, { stat = "Maximum", period = 300 }]],
          [for node in var.targets.cache_member_clusters : ["AWS/ElastiCache", "Evictions", "CacheClusterId", node, { stat = "Sum", period = 300, yAxis = "right" }]],
        )
      }
    },
  ]

  alb_widgets = [for suffix in values(local.alb) : {
    type = "metric", width = 24, height = local.widget.height
    properties = {
      title = "Load balancer: requests, 5xx and target p99 (s)", region = local.region, view = "timeSeries"
      metrics = [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", suffix, { stat = "Sum", period = 60 }],
        ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", suffix, { stat = "Sum", period = 60 }],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", suffix, { stat = "Sum", period = 60 }],
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", suffix, { stat = "p99", period = 60, yAxis = "right" }],
      ]
    }
  }]

  alarm_arns = concat(
    [for a in aws_cloudwatch_composite_alarm.slo : a.arn],
    [for a in aws_cloudwatch_metric_alarm.latency : a.arn],
    [for a in aws_cloudwatch_metric_alarm.alb_5xx : a.arn],
    [for a in aws_cloudwatch_metric_alarm.alb_target_p99 : a.arn],
    [for a in aws_cloudwatch_metric_alarm.alb_unhealthy_targets : a.arn],
    [for a in aws_cloudwatch_metric_alarm.pods : a.arn],
    [aws_cloudwatch_metric_alarm.node_pressure.arn],
    [for a in aws_cloudwatch_metric_alarm.aws : a.arn],
    [for a in aws_cloudwatch_metric_alarm.breaker_open : a.arn],
    [aws_cloudwatch_metric_alarm.redis_fallbacks.arn, aws_cloudwatch_metric_alarm.tmdb_errors.arn],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.name
  dashboard_body = jsonencode({
    widgets = concat(
      [{
        type = "text", width = 24, height = 2
        properties = {
          markdown = "## ${local.name}\nSLOs: ${var.slo.availability * 100} % non-5xx answers of the member API over 30 days; p99 of GET /api/browse under ${var.slo.browse_p99_ms} ms and of the heartbeat under ${var.slo.heartbeat_p99_ms} ms. Runbook: docs/operations.md. App logs: ${aws_cloudwatch_log_group.this["application"].name}; ALB access logs: s3://${aws_s3_bucket.alb_logs.id}/${local.alb_log_prefix}/"
        }
      }],
      [{
        type       = "alarm", width = 24, height = 4
        properties = { title = "Alarms", alarms = local.alarm_arns, sortBy = "stateUpdatedTimestamp" }
      }],
      local.app_widgets,
      local.alb_widgets,
      local.platform_widgets,
    )
  })
}
