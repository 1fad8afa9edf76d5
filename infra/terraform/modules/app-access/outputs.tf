output "role_arn" {
  description = "ARN of the app role (netflix-clone-app-<environment>)."
  value       = aws_iam_role.app.arn
}

output "role_name" {
  description = "Name of the app role."
  value       = aws_iam_role.app.name
}

output "read_secrets_policy" {
  description = "The role's inline policy, decoded (what the app may read), for review and tests."
  value       = jsondecode(aws_iam_role_policy.read_secrets.policy)
}

output "pod_identity" {
  description = "Namespace and service account bound to the role."
  value = {
    namespace       = aws_eks_pod_identity_association.app.namespace
    service_account = aws_eks_pod_identity_association.app.service_account
    role_arn        = aws_eks_pod_identity_association.app.role_arn
  }
}

output "pod_identity_association_id" {
  description = "ID of the Pod Identity association binding the role to the app's service account."
  value       = aws_eks_pod_identity_association.app.association_id
}

output "permissions_boundaries" {
  description = "Permissions boundary of each IAM role of this module."
  value       = { app = aws_iam_role.app.permissions_boundary }
}

output "connect_cache_policy" {
  description = "The app role's cache policy (decoded): elasticache:Connect on its replication group and user only."
  value       = local.connect_cache_policy
}
