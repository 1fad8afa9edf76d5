output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the API endpoint."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_security_group_id" {
  description = "Security group EKS attaches to the control plane, the managed nodes and (with the VPC CNI) their pods; data stores admit traffic from it."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "node_role_arn" {
  description = "IAM role of the managed node group."
  value       = aws_iam_role.node.arn
}

output "node_group_name" {
  description = "Name of the managed node group."
  value       = aws_eks_node_group.default.node_group_name
}

output "kms_key_arn" {
  description = "KMS key encrypting Kubernetes Secrets and the control-plane logs."
  value       = aws_kms_key.cluster.arn
}

output "lb_controller_role_arn" {
  description = "IAM role the AWS Load Balancer Controller gets through Pod Identity."
  value       = aws_iam_role.lb_controller.arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the control-plane logs."
  value       = aws_cloudwatch_log_group.cluster.name
}

output "kubernetes_version" {
  description = "Kubernetes version of the control plane."
  value       = aws_eks_cluster.this.version
}

output "endpoint_public_access" {
  description = "Whether the API endpoint is reachable from the internet (through public_access_cidrs)."
  value       = aws_eks_cluster.this.vpc_config[0].endpoint_public_access
}

output "authentication_mode" {
  description = "Cluster authentication mode (API: access entries only)."
  value       = aws_eks_cluster.this.access_config[0].authentication_mode
}

output "node_group_subnet_ids" {
  description = "Subnets the managed node group launches into (must all be private)."
  value       = aws_eks_node_group.default.subnet_ids
}

output "node_group_scaling" {
  description = "Minimum, desired and maximum size of the managed node group as configured (desired is only the initial value: later changes by an autoscaler are ignored)."
  value       = aws_eks_node_group.default.scaling_config[0]
}

output "node_metadata_options" {
  description = "Instance metadata settings of the node launch template (IMDSv2 and hop limit)."
  value       = aws_launch_template.node.metadata_options[0]
}

output "addon_configuration" {
  description = "Managed add-ons with their pinned versions and configuration values."
  value = merge(
    { for k, a in aws_eks_addon.before_nodes : k => { version = a.addon_version, configuration_values = a.configuration_values } },
    { for k, a in aws_eks_addon.after_nodes : k => { version = a.addon_version, configuration_values = a.configuration_values } },
  )
}

output "pod_identity_associations" {
  description = "Pod Identity associations made by this module (namespace/service account => role ARN)."
  value = {
    "${aws_eks_pod_identity_association.lb_controller.namespace}/${aws_eks_pod_identity_association.lb_controller.service_account}" = aws_eks_pod_identity_association.lb_controller.role_arn
  }
}
