output "state_bucket_name" {
  description = "S3 bucket holding every environment's Terraform state; put it into envs/<env>/backend.hcl."
  value       = aws_s3_bucket.state.bucket
}

output "state_kms_key_arn" {
  description = "KMS key encrypting the state objects."
  value       = aws_kms_key.state.arn
}

output "ecr_repository_url" {
  description = "URL of the shared ECR repository (images are tagged with the full commit SHA)."
  value       = aws_ecr_repository.app.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the shared ECR repository."
  value       = aws_ecr_repository.app.arn
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider."
  value       = local.github_oidc_provider_arn
}

output "deploy_role_arns" {
  description = "Deploy role ARN per environment (the workflows build it from the Environment variable AWS_ACCOUNT_ID)."
  value       = { for e, r in aws_iam_role.deploy : e => r.arn }
}

output "plan_role_arns" {
  description = "Read-only plan role per environment (pull-request plans); infra.yml builds its ARN from the repository variable AWS_ACCOUNT_IDS."
  value       = { for e, r in aws_iam_role.plan : e => r.arn }
}

output "github_connection_arn" {
  description = "CodeConnections connection to GitHub; authorise it once in the console (it starts PENDING)."
  value       = aws_codeconnections_connection.github.arn
}

output "permissions_boundary_arns" {
  description = "Permissions boundary per environment: every role the deploy role creates must carry it."
  value       = { for e, p in aws_iam_policy.boundary : e => p.arn }
}

output "permission_documents" {
  description = "Every policy document of the deploy roles and the boundaries, decoded, per environment: for review and for the escalation tests."
  value = {
    for e in var.environments : e => {
      boundary = local.boundary_policy[e]
      deploy   = { for k, p in local.deploy_policies : split("/", k)[1] => p if split("/", k)[0] == e }
      plan     = local.plan_state_policy[e]
    }
  }
}
