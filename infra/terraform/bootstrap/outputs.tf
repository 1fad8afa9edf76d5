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
  description = "Deploy role ARN per environment; set each as the AWS_ROLE_ARN variable of the GitHub Environment of that name."
  value       = { for e, r in aws_iam_role.deploy : e => r.arn }
}
