output "role_arn" {
  description = "ARN of the app role (netflix-clone-app-<environment>)."
  value       = aws_iam_role.this["app"].arn
}

output "role_name" {
  description = "Name of the app role."
  value       = aws_iam_role.this["app"].name
}

output "read_secrets_policy" {
  description = "The app role's secrets policy, decoded (what the app may read), for review and tests."
  value       = local.read_secrets_policy["app"]
}

output "pod_identity" {
  description = "Namespace and service account bound to the app role."
  value = {
    namespace       = aws_eks_pod_identity_association.this["app"].namespace
    service_account = aws_eks_pod_identity_association.this["app"].service_account
    role_arn        = aws_eks_pod_identity_association.this["app"].role_arn
  }
}

output "pod_identity_association_id" {
  description = "ID of the Pod Identity association binding the app role to the app's service account."
  value       = aws_eks_pod_identity_association.this["app"].association_id
}

output "roles" {
  description = "Every role of the module (app, migrate, db_admin): name, ARN, the service account bound to it, and its policies decoded (secrets, database), for review and tests."
  value = {
    for role, r in local.roles : role => {
      name            = aws_iam_role.this[role].name
      arn             = aws_iam_role.this[role].arn
      service_account = aws_eks_pod_identity_association.this[role].service_account
      read_secrets    = local.read_secrets_policy[role]
      database        = try(local.connect_database_policy[role], null)
    }
  }
}

output "permissions_boundaries" {
  description = "Permissions boundary of each IAM role of this module."
  value       = { for role, r in aws_iam_role.this : role == "app" ? "app" : "app_${role}" => r.permissions_boundary }
}

output "connect_cache_policy" {
  description = "The app role's cache policy (decoded): elasticache:Connect on its replication group and user only."
  value       = local.connect_cache_policy
}
