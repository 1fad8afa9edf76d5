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
  description = "Security group EKS attaches to the control plane and the Auto Mode nodes (and so their pods); the database admits traffic from it."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "node_role_arn" {
  description = "IAM role of the Auto Mode nodes."
  value       = aws_iam_role.node.arn
}

output "kms_key_arn" {
  description = "KMS key encrypting Kubernetes Secrets and the control-plane logs."
  value       = module.key.arn
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


output "auto_mode" {
  description = "Auto Mode settings as applied: compute (built-in node pools, node role), load balancing and block storage."
  value = {
    compute_enabled        = aws_eks_cluster.this.compute_config[0].enabled
    node_pools             = aws_eks_cluster.this.compute_config[0].node_pools
    load_balancing_enabled = aws_eks_cluster.this.kubernetes_network_config[0].elastic_load_balancing[0].enabled
    block_storage_enabled  = aws_eks_cluster.this.storage_config[0].block_storage[0].enabled
    self_managed_addons    = aws_eks_cluster.this.bootstrap_self_managed_addons
  }
}

output "subnet_ids" {
  description = "Subnets of the control-plane ENIs and the Auto Mode nodes (must all be private)."
  value       = aws_eks_cluster.this.vpc_config[0].subnet_ids
}

output "api_ingress_rules" {
  description = "Security-group rules admitting API clients (the runner) to the cluster on 443, by name."
  value = {
    for k, r in aws_vpc_security_group_ingress_rule.api_from_runner : k => {
      from_port                    = r.from_port
      to_port                      = r.to_port
      referenced_security_group_id = r.referenced_security_group_id
    }
  }
}

output "permissions_boundaries" {
  description = "Permissions boundary of each IAM role of this module."
  value       = { cluster = aws_iam_role.cluster.permissions_boundary, node = aws_iam_role.node.permissions_boundary }
}

output "service_ipv4_cidr" {
  description = "CIDR of the cluster's Service addresses."
  value       = var.service_ipv4_cidr
}

output "cluster_dns_ip" {
  description = "Address pods resolve names at (the kube-dns Service, the 10th address of service_ipv4_cidr); on Auto Mode CoreDNS answers it on every node."
  value       = cidrhost(var.service_ipv4_cidr, 10)
}

output "addons" {
  description = "EKS add-ons as configured: version and configuration values (decoded)."
  value = {
    metrics-server = {
      version       = aws_eks_addon.metrics_server.addon_version
      configuration = jsondecode(aws_eks_addon.metrics_server.configuration_values)
    }
  }
}
