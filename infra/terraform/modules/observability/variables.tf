variable "environment" {
  description = "Deployment environment: dev, uat or prod."
  type        = string

  validation {
    condition     = contains(["dev", "uat", "prod"], var.environment)
    error_message = "environment must be dev, uat or prod."
  }
}

variable "cluster_name" {
  description = "EKS cluster of the environment (module.platform.cluster_name); pass the module output, not a string, so the add-on waits for the cluster."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the app (netflix-clone-<env>): the Namespace dimension of the app's metrics and the filter of its log metrics."
  type        = string
}

variable "parameter_path" {
  description = "SSM path the release step reads (module.platform.parameter_path); the ALB log bucket's name is published under it as alb-log-bucket."
  type        = string

  validation {
    condition     = can(regex("^/[a-z0-9/-]+[a-z0-9]$", var.parameter_path))
    error_message = "parameter_path must look like /netflix-clone/<env>."
  }
}

variable "targets" {
  description = "What the AWS-side alarms watch (module.platform.observability_targets): RDS instance id and allocated storage, cache replication group and member clusters, certificate ARN."
  type = object({
    db_instance_id             = string
    db_allocated_storage_gib   = number
    db_read_replica_ids        = list(string)
    cache_replication_group_id = string
    cache_member_clusters      = list(string)
    certificate_arn            = string
  })
}

variable "alarm_subscriptions" {
  description = "Who the alarm topic notifies: protocol (email, https or sms) and endpoint (a pager's e-mail integration address or HTTPS webhook). Empty: alarms still change state and show on the dashboard, nobody is notified (dev). prod refuses an empty list."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.alarm_subscriptions : contains(["email", "https", "sms"], s.protocol)])
    error_message = "alarm_subscriptions protocols must be email, https or sms."
  }
  validation {
    condition     = var.environment != "prod" || length(var.alarm_subscriptions) > 0
    error_message = "prod's alarms must notify someone: give alarm_subscriptions."
  }
}

variable "slo" {
  description = "Service level objectives the alarms and the dashboard measure against (docs/operations.md explains each): availability of the member API as a fraction of non-5xx answers over 30 days, and p99 latency targets in milliseconds."
  type = object({
    availability        = number
    browse_p99_ms       = number
    heartbeat_p99_ms    = number
    alb_target_p99_ms   = number
    min_requests_per_5m = number
  })
  default = {
    availability        = 0.999
    browse_p99_ms       = 500
    heartbeat_p99_ms    = 250
    alb_target_p99_ms   = 1000
    min_requests_per_5m = 50
  }

  validation {
    condition     = var.slo.availability > 0.9 && var.slo.availability < 1
    error_message = "slo.availability must be a fraction between 0.9 and 1 (e.g. 0.999)."
  }
}

variable "db_connections_threshold" {
  description = "RDS DatabaseConnections above which the connections alarm fires: about 80 % of the instance class's max_connections (LEAST(DBInstanceClassMemory/9531392, 5000) for PostgreSQL)."
  type        = number
}

variable "log_retention_days" {
  description = "Retention of the app's, the nodes' and the collectors' log groups, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts."
  }
}

variable "alb_log_retention_days" {
  description = "Days an ALB access log object is kept in S3 (moved to Standard-IA after 30 days when kept longer)."
  type        = number
  default     = 90

  validation {
    condition     = var.alb_log_retention_days >= 7
    error_message = "alb_log_retention_days must be at least 7."
  }
}

variable "cloudwatch_observability_version" {
  description = "Pinned version of the amazon-cloudwatch-observability EKS add-on (CloudWatch agent for Container Insights, Fluent Bit for container logs). Check newer ones with `aws eks describe-addon-versions --kubernetes-version 1.33 --addon-name amazon-cloudwatch-observability`."
  type        = string
  default     = "v4.7.0-eksbuild.1"

  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", var.cloudwatch_observability_version))
    error_message = "cloudwatch_observability_version must be an exact EKS add-on version such as v4.7.0-eksbuild.1."
  }
}

variable "metrics_collector" {
  description = "Where the in-cluster Prometheus collector (deploy/k8s/cluster/metrics-collector) runs: its namespace and service account, which its Pod Identity role is bound to."
  type = object({
    namespace       = string
    service_account = string
  })
  default = {
    namespace       = "netflix-clone-metrics"
    service_account = "cwagent-prometheus"
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary every IAM role of this module carries (netflix-clone-boundary-<env>)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
