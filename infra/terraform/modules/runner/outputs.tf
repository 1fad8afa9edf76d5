output "project_name" {
  description = "CodeBuild project name; jobs use runs-on: codebuild-<project_name>-$${{ github.run_id }}-$${{ github.run_attempt }}."
  value       = aws_codebuild_project.runner.name
}

output "security_group_id" {
  description = "Security group of the runner (allowed to the cluster API on 443)."
  value       = aws_security_group.runner.id
}

output "role_arn" {
  description = "Service role of the runner (logs, VPC attachment, GitHub connection)."
  value       = aws_iam_role.runner.arn
}

output "runner_policy" {
  description = "The runner role's policy document (decoded), for review and tests."
  value       = local.runner_policy
}

output "webhook_filters" {
  description = "Filters of the webhook that starts a build per queued job."
  value       = [for g in aws_codebuild_webhook.runner.filter_group : [for f in g.filter : { type = f.type, pattern = f.pattern }]]
}

output "subnet_ids" {
  description = "Subnets the runner runs in."
  value       = aws_codebuild_project.runner.vpc_config[0].subnets
}

output "permissions_boundaries" {
  description = "Permissions boundary of each IAM role of this module."
  value       = { runner = aws_iam_role.runner.permissions_boundary }
}
