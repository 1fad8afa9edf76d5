output "cluster_name" {
  description = "ECS cluster the previews run in."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the previews' ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "load_balancer_dns_name" {
  description = "DNS name of the previews' load balancer (*.<domain> points here)."
  value       = aws_lb.this.dns_name
}

output "listener_arn" {
  description = "HTTPS listener holding one rule per preview (host pr-<n>.<domain>)."
  value       = aws_lb_listener.https.arn
}

output "repository_url" {
  description = "ECR repository of the preview images (tags pr-<n>-<sha>)."
  value       = aws_ecr_repository.previews.repository_url
}

output "execution_role_arn" {
  description = "ECS task execution role of the previews (image pull, logs, the preview's secret)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "Application role of the previews (no permissions)."
  value       = aws_iam_role.task.arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the preview containers (stream prefix pr-<n>)."
  value       = aws_cloudwatch_log_group.tasks.name
}

output "task_security_group_id" {
  description = "Security group of the preview tasks (admits the load balancer only)."
  value       = aws_security_group.tasks.id
}

output "certificate_arn" {
  description = "Wildcard certificate *.<domain> of the HTTPS listener."
  value       = aws_acm_certificate.wildcard.arn
}

output "certificate_validation_records" {
  description = "DNS records validating the wildcard certificate; create them by hand when route53_zone_id is null."
  value       = local.certificate_validation_records
}

output "dns_record" {
  description = "The record that sends *.<domain> to the load balancer; create it by hand (CNAME) when route53_zone_id is null."
  value       = { name = "*.${var.domain}", type = "CNAME", value = aws_lb.this.dns_name }
}

output "config_parameter_name" {
  description = "SSM parameter holding the JSON the preview workflow reads."
  value       = aws_ssm_parameter.config.name
}

output "config" {
  description = "What the preview workflow reads (also published as config_parameter_name)."
  value       = local.config
}

output "permissions_boundaries" {
  description = "Permissions boundary of each IAM role of this module."
  value = {
    execution = aws_iam_role.execution.permissions_boundary
    task      = aws_iam_role.task.permissions_boundary
  }
}
