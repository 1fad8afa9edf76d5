data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  log_group_name = "/aws/eks/${var.cluster_name}/cluster"
  log_types      = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  managed_policy = "arn:${local.partition}:iam::aws:policy"
  eks_policy     = "arn:${local.partition}:eks::aws:cluster-access-policy"

  # Pod Identity roles are assumed by the EKS Auth service, which also tags the session with the
  # cluster, namespace and service account (hence sts:TagSession).
  pod_identity_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })
}

# --- Encryption key: Kubernetes Secrets envelope encryption and control-plane logs

module "key" {
  source          = "../log-key"
  name            = "${var.cluster_name}-eks"
  description     = "${var.cluster_name} EKS secrets envelope encryption and control-plane logs"
  log_group_names = [local.log_group_name]
  tags            = var.tags
}

moved {
  from = aws_kms_key.cluster
  to   = module.key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.cluster
  to   = module.key.aws_kms_alias.this
}

# Created before the cluster so EKS does not create it without retention or encryption.
resource "aws_cloudwatch_log_group" "cluster" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.arn
  tags              = var.tags
}

# --- Control plane

resource "aws_iam_role" "cluster" {
  name                 = "${var.cluster_name}-cluster"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
  tags = var.tags
}

# EKS Auto Mode runs the nodes, their storage, load balancers and the pod network for the
# cluster, so its role carries the four Auto Mode policies on top of the cluster policy.
resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = toset([
    "AmazonEKSClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
  ])

  role       = aws_iam_role.cluster.name
  policy_arn = "${local.managed_policy}/${each.value}"
}

resource "aws_iam_role_policy" "cluster_kms" {
  name = "envelope-encryption"
  role = aws_iam_role.cluster.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"]
      Resource = module.key.arn
    }]
  })
}

resource "aws_eks_cluster" "this" {
  name     = var.cluster_name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  enabled_cluster_log_types = local.log_types

  # Auto Mode: EKS runs VPC CNI, kube-proxy, CoreDNS, the Pod Identity agent, the EBS CSI
  # driver and the load-balancer controller itself, and scales nodes to the pending pods
  # (Karpenter inside). Nothing self-managed is installed on top.
  bootstrap_self_managed_addons = false

  compute_config {
    enabled = true
    # Only the built-in system pool (tainted for critical add-ons); the app's nodes come from
    # the netflix-clone NodePool in deploy/k8s/cluster, which carries the CPU/memory limits.
    node_pools    = ["system"]
    node_role_arn = aws_iam_role.node.arn
  }

  kubernetes_network_config {
    # Fixed, so the cluster DNS address (its 10th address) is known before the cluster exists
    # and the NetworkPolicies can name it: on Auto Mode CoreDNS runs on each node, not as pods
    # a podSelector could match.
    service_ipv4_cidr = var.service_ipv4_cidr

    elastic_load_balancing {
      enabled = true
    }
  }

  storage_config {
    block_storage {
      enabled = true
    }
  }

  vpc_config {
    subnet_ids              = var.private_subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    public_access_cidrs     = var.endpoint_public_access ? var.public_access_cidrs : null
  }

  # Standard support only: no extended-support fees. AWS refuses STANDARD for a version past
  # its end of standard support, so modules/platform checks the version against AWS's calendar
  # at plan time, and tests/infra/test_versions.py against a dated table, failing 60 days before
  # that end, while there is still time for a reviewed upgrade.
  upgrade_policy {
    support_type = "STANDARD"
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = module.key.arn
    }
  }

  access_config {
    authentication_mode = "API"
    # Whoever runs the first apply must not become an invisible permanent admin; admins are
    # listed explicitly in access entries below.
    bootstrap_cluster_creator_admin_permissions = false
  }

  tags = var.tags

  depends_on = [
    aws_cloudwatch_log_group.cluster,
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy_attachment.node,
    aws_iam_role_policy.cluster_kms,
  ]
}

# --- Access entries (authentication_mode = API: no aws-auth ConfigMap)

resource "aws_eks_access_entry" "admin" {
  for_each = toset(var.admin_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"
  tags          = var.tags
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = toset(var.admin_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.admin[each.key].principal_arn
  policy_arn    = "${local.eks_policy}/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

resource "aws_eks_access_entry" "deploy" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.deploy_role_arn
  type          = "STANDARD"
  # Access policies cannot reach the cluster-scoped Namespace object the manifests declare; a
  # ClusterRole limited to that one namespace is bound to this group in-cluster
  # (docs/infrastructure.md, "Cluster RBAC for the deploy role").
  kubernetes_groups = [var.deploy_kubernetes_group]
  tags              = var.tags
}

# The pipeline manages the app's objects (Deployment, Service, HPA, PDB, Role/RoleBinding) in its
# own namespace and nothing cluster-wide.
resource "aws_eks_access_policy_association" "deploy" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.deploy.principal_arn
  policy_arn    = "${local.eks_policy}/AmazonEKSAdminPolicy"

  access_scope {
    type       = "namespace"
    namespaces = [var.app_namespace]
  }
}

# --- Nodes (launched and replaced by Auto Mode; this is only their role)

resource "aws_iam_role" "node" {
  name                 = "${var.cluster_name}-node"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryPullOnly",
  ])

  role       = aws_iam_role.node.name
  policy_arn = "${local.managed_policy}/${each.value}"
}

# --- Runners: the environment's CI runner reaches the private API endpoint, nothing else

resource "aws_vpc_security_group_ingress_rule" "api_from_runner" {
  for_each = var.api_client_security_group_ids

  security_group_id            = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
  description                  = "Kubernetes API from the CI runner in this VPC"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = each.value
  tags                         = var.tags
}

# --- Managed add-on Auto Mode does not bring: metrics-server, which the app's HPA scales on.
# Its version follows the cluster's: EKS's default build for kubernetes_version unless pinned,
# read at plan time, so a new default shows in a reviewed plan and never as silent drift.
#
# When Terraform creates it, the only nodes Auto Mode can launch are the built-in system pool's,
# tainted CriticalAddonsOnly (the app's NodePool comes later, with the first release): without
# the toleration its pods would stay Pending, the add-on DEGRADED, and the apply would time out.

data "aws_eks_addon_version" "metrics_server" {
  count = var.metrics_server_version == null ? 1 : 0

  addon_name         = "metrics-server"
  kubernetes_version = var.kubernetes_version
  most_recent        = false # the version EKS marks as default for this Kubernetes version
}

locals {
  metrics_server_configuration = {
    tolerations = [{ key = "CriticalAddonsOnly", operator = "Exists" }]
  }
}

resource "aws_eks_addon" "metrics_server" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "metrics-server"
  addon_version               = coalesce(var.metrics_server_version, try(data.aws_eks_addon_version.metrics_server[0].version, null))
  configuration_values        = jsonencode(local.metrics_server_configuration)
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  tags                        = var.tags
}
