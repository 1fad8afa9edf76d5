# On-call's view of prod: logs, metrics, alarms and the dashboard (modules/observability,
# docs/operations.md). Reads what it watches from the platform module; chooses only who is
# notified and the database connection ceiling of this environment's instance class.

module "observability" {
  source = "../../modules/observability"

  environment    = local.environment
  cluster_name   = module.platform.cluster_name
  namespace      = module.platform.namespace
  parameter_path = module.platform.parameter_path
  targets        = module.platform.observability_targets

  # The team's pager (its e-mail integration address or an https webhook); replace the example
  # address before the first apply. prod refuses an empty list.
  alarm_subscriptions = [{ protocol = "email", endpoint = "oncall@netflix-clone.example.com" }]

  # About 80 % of max_connections of the instance class in main.tf (LEAST(memory/9531392, 5000)).
  db_connections_threshold = 680

  # The same boundary as every other role of the environment.
  permissions_boundary_arn = one(distinct(values(module.platform.role_permissions_boundaries)))
}

output "observability" {
  description = "Alarm topic, dashboard, app log group and ALB access-log bucket of the environment."
  value = {
    alarm_topic_arn    = module.observability.alarm_topic_arn
    dashboard_name     = module.observability.dashboard_name
    app_log_group_name = module.observability.app_log_group_name
    alb_log_bucket     = module.observability.alb_log_bucket
  }
}
