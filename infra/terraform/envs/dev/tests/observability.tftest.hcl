# On-call's view of dev: the alarm topic, the alarms the runbook (docs/operations.md) lists and
# the dashboard exist, wired to this environment's resources (mocked AWS, nothing is created).
mock_provider "aws" {
  source = "../../modules/platform/tests/mocks"
}

override_data {
  target = module.observability.data.aws_elb_service_account.current
  values = { arn = "arn:aws:iam::156460612806:root" }
}
override_data {
  target = module.observability.data.aws_lbs.app
  values = { arns = [] }
}
# dev also runs the pull-request previews (envs/dev/previews.tf): their load balancer needs a
# well-formed ARN for its listener under apply.
override_resource {
  target = module.previews.aws_lb.this
  values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/netflix-clone-dev-previews/0123456789abcdef" }
}
override_resource {
  target = module.observability.aws_sns_topic.alarms
  values = { arn = "arn:aws:sns:eu-west-1:111122223333:netflix-clone-dev-alarms" }
}

run "observability" {
  command = apply


  assert {
    condition     = module.observability.alarm_topic_arn == "arn:aws:sns:eu-west-1:111122223333:netflix-clone-dev-alarms" && module.observability.alarms_notify_topic
    error_message = "dev needs its alarm topic, and every paging alarm must notify it"
  }
  assert {
    condition = length(setsubtract(toset([
      "slo-fast-burn", "slo-slow-burn", "latency-browse-p99", "latency-heartbeat-p99", "pod-restarts",
      "pod-oom-killed", "node-pressure", "rds-cpu", "rds-free-storage", "rds-connections", "cache-memory",
      "cache-evictions", "breaker-open", "redis-fallbacks", "tmdb-upstream-errors", "certificate-expiry",
    ]), toset(values(module.observability.alarm_names)))) == 0
    error_message = "dev lacks an alarm the runbook lists"
  }
  assert {
    condition     = alltrue([for name in keys(module.observability.alarm_names) : startswith(name, "netflix-clone-dev-")])
    error_message = "dev's alarms are named after the environment"
  }
  assert {
    condition     = module.observability.dashboard_name == "netflix-clone-dev" && length(module.observability.dashboard_widget_titles) >= 12
    error_message = "dev needs its dashboard"
  }
  assert {
    condition     = module.observability.app_log_group_name == "/aws/containerinsights/netflix-clone-dev/application"
    error_message = "dev's pod logs go to the cluster's application log group"
  }
  assert {
    condition     = length(module.observability.alarm_subscriptions) == 0
    error_message = "dev has no default subscription"
  }
}
