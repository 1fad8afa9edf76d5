output "secret_arns" {
  description = "ARNs of the secrets, keyed by short name (tmdb-api-key, secret-key)."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.arn }
}

output "secret_names" {
  description = "Full names of the secrets, keyed by short name."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.name }
}

output "kms_key_arn" {
  description = "KMS key encrypting the secrets; pass it to RDS for its managed master secret too."
  value       = aws_kms_key.secrets.arn
}
