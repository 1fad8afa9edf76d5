output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnets_cidr" {
  description = "One CIDR covering every public subnet: the load balancer's addresses, and nothing else of the VPC."
  value       = local.public_subnets_cidr
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (load balancers, NAT gateways), in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (nodes, pods, databases), in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.private[az].id]
}

output "private_route_table_ids" {
  description = "IDs of the private route tables."
  value       = [for az in var.azs : aws_route_table.private[az].id]
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (one, or one per AZ)."
  value       = [for k in local.nat_azs : aws_nat_gateway.this[k].id]
}

output "nat_public_ips" {
  description = "Public egress IPs of the NAT gateways (for allow-lists at third parties such as TMDB)."
  value       = [for k in local.nat_azs : aws_eip.nat[k].public_ip]
}

output "vpc_endpoint_security_group_id" {
  description = "Security group of the interface VPC endpoints."
  value       = aws_security_group.endpoints.id
}

output "flow_log_group_name" {
  description = "CloudWatch Logs group receiving the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "public_subnet_tags" {
  description = "Tags of the public subnets, keyed by AZ (load balancer discovery depends on them)."
  value       = { for az, s in aws_subnet.public : az => s.tags }
}

output "private_subnet_tags" {
  description = "Tags of the private subnets, keyed by AZ (load balancer discovery depends on them)."
  value       = { for az, s in aws_subnet.private : az => s.tags }
}

output "permissions_boundaries" {
  description = "Permissions boundary of each IAM role of this module."
  value       = { flow_logs = aws_iam_role.flow_logs.permissions_boundary }
}
