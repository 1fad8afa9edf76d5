output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (subscribe the pager here)."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_subscriptions" {
  description = "Protocols and endpoints subscribed to the alarm topic."
  value       = [for s in aws_sns_topic_subscription.alarms : { protocol = s.protocol, endpoint = s.endpoint }]
}

output "alarm_names" {
  description = "Every alarm of the environment, by the name of its runbook section in docs/operations.md (alarm-<name>)."
  value = merge(
    { for k, a in aws_cloudwatch_composite_alarm.slo : a.alarm_name => (k == "fast" ? "slo-fast-burn" : "slo-slow-burn") },
    { for k, a in aws_cloudwatch_metric_alarm.latency : a.alarm_name => "latency-${k}" },
    { for a in aws_cloudwatch_metric_alarm.alb_5xx : a.alarm_name => "alb-5xx" },
    { for a in aws_cloudwatch_metric_alarm.alb_target_p99 : a.alarm_name => "alb-target-p99" },
    { for a in aws_cloudwatch_metric_alarm.alb_unhealthy_targets : a.alarm_name => "alb-unhealthy-targets" },
    { for k, a in aws_cloudwatch_metric_alarm.pods : a.alarm_name => k },
    { (aws_cloudwatch_metric_alarm.node_pressure.alarm_name) = "node-pressure" },
    { for k, a in aws_cloudwatch_metric_alarm.aws : a.alarm_name => local.aws_alarms[k].runbook },
    { for a in aws_cloudwatch_metric_alarm.breaker_open : a.alarm_name => "breaker-open" },
    { (aws_cloudwatch_metric_alarm.redis_fallbacks.alarm_name) = "redis-fallbacks" },
    { (aws_cloudwatch_metric_alarm.tmdb_errors.alarm_name) = "tmdb-upstream-errors" },
  )
}

output "alarms_notify_topic" {
  description = "Whether every alarm that pages (all but the burn-rate windows, which feed the two SLO composites) sends ALARM and OK to the topic."
  value = alltrue(concat(
    [for a in aws_cloudwatch_composite_alarm.slo : a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && a.ok_actions == toset([aws_sns_topic.alarms.arn])],
    [for a in concat(
      values(aws_cloudwatch_metric_alarm.latency), values(aws_cloudwatch_metric_alarm.alb_5xx),
      values(aws_cloudwatch_metric_alarm.alb_target_p99), values(aws_cloudwatch_metric_alarm.alb_unhealthy_targets),
      values(aws_cloudwatch_metric_alarm.pods), [aws_cloudwatch_metric_alarm.node_pressure],
      values(aws_cloudwatch_metric_alarm.aws), values(aws_cloudwatch_metric_alarm.breaker_open),
      [aws_cloudwatch_metric_alarm.redis_fallbacks, aws_cloudwatch_metric_alarm.tmdb_errors],
    ) : a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && a.ok_actions == toset([aws_sns_topic.alarms.arn])],
  ))
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_widget_titles" {
  description = "Titles of the dashboard's metric widgets (for review and the tests)."
  value       = [for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title if w.type == "metric"]
}

output "app_log_group_name" {
  description = "Log group of every pod's stdout/stderr (the app's JSON lines under log_processed)."
  value       = aws_cloudwatch_log_group.this["application"].name
}

output "log_groups" {
  description = "Log groups of the add-on and the collector, with retention and KMS key."
  value = { for k, g in aws_cloudwatch_log_group.this : k => {
    name              = g.name
    retention_in_days = g.retention_in_days
    kms_key_id        = g.kms_key_id
  } }
}

output "alb_log_bucket" {
  description = "S3 bucket of the ALB's access logs (prefix alb/), published as alb-log-bucket under parameter_path."
  value       = aws_s3_bucket.alb_logs.id
}

output "alb_log_lifecycle_days" {
  description = "Days an ALB access log object is kept."
  value       = one(aws_s3_bucket_lifecycle_configuration.alb_logs.rule).expiration[0].days
}

output "alb_arn_suffix" {
  description = "LoadBalancer dimension of the Ingress's ALB, or null until Auto Mode has created it."
  value       = try(local.alb["app"], null)
}

output "collector_roles" {
  description = "Pod Identity roles: the add-on's (cloudwatch-agent in amazon-cloudwatch) and the Prometheus collector's."
  value = {
    cloudwatch_agent  = aws_iam_role.cloudwatch_agent.arn
    metrics_collector = aws_iam_role.metrics_collector.arn
  }
}

output "permissions_boundaries" {
  description = "Permissions boundary of each IAM role of this module."
  value = {
    cloudwatch_agent  = aws_iam_role.cloudwatch_agent.permissions_boundary
    metrics_collector = aws_iam_role.metrics_collector.permissions_boundary
  }
}

output "role_policies" {
  description = "Inline policy of each IAM role of this module, decoded, by role name: what the role asks for inside the environment's permissions boundary (bootstrap's tests evaluate it against the boundary)."
  value = {
    (aws_iam_role.cloudwatch_agent.name)  = jsondecode(aws_iam_role_policy.cloudwatch_agent.policy)
    (aws_iam_role.metrics_collector.name) = jsondecode(aws_iam_role_policy.metrics_collector.policy)
  }
}

output "managed_names" {
  description = "Names of what this module creates in the account, by kind: the environment's deploy role must be allowed to create, read, change and delete each (bootstrap's tests evaluate its policies against these names)."
  value = {
    cluster          = var.cluster_name
    kms_aliases      = [aws_kms_alias.alarms.name, module.log_key.alias]
    log_groups       = [for g in aws_cloudwatch_log_group.this : g.name]
    metric_filters   = { for f in [aws_cloudwatch_log_metric_filter.request_duration, aws_cloudwatch_log_metric_filter.heartbeat_duration] : f.name => f.log_group_name }
    topics           = [aws_sns_topic.alarms.name]
    metric_alarms    = [for a in local.metric_alarms : a.alarm_name]
    composite_alarms = [for a in aws_cloudwatch_composite_alarm.slo : a.alarm_name]
    dashboards       = [aws_cloudwatch_dashboard.this.dashboard_name]
    buckets          = [aws_s3_bucket.alb_logs.bucket]
    parameters       = [aws_ssm_parameter.alb_log_bucket.name]
    roles            = [aws_iam_role.cloudwatch_agent.name, aws_iam_role.metrics_collector.name]
    addons           = [aws_eks_addon.cloudwatch_observability.addon_name]
  }
}
