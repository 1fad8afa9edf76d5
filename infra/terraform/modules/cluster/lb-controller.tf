# IAM for the AWS Load Balancer Controller (installed by the platform team with Helm into
# kube-system, service account aws-load-balancer-controller). Written for this cluster rather
# than copied from the controller's generic policy: everything it creates must carry the
# elbv2.k8s.aws/cluster tag with this cluster's name, and it may only change or delete what
# carries that tag, so two clusters in one account cannot touch each other's load balancers.

locals {
  lbc_namespace       = "kube-system"
  lbc_service_account = "aws-load-balancer-controller"
  lbc_cluster_tag     = "elbv2.k8s.aws/cluster"
  elb_arn_prefix      = "arn:${local.partition}:elasticloadbalancing:${local.region}:${local.account_id}"

  lbc_owned = {
    StringEquals = { "aws:ResourceTag/${local.lbc_cluster_tag}" = var.cluster_name }
  }

  lbc_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "Discover"
        Effect = "Allow"
        Action = [
          "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
          "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
          "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
          "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:DescribeRouteTables",
          "ec2:DescribeIpamPools",
          "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
          "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
          "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeSSLPolicies",
          "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
          "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
          "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores",
          "elasticloadbalancing:DescribeCapacityReservation",
          "acm:ListCertificates", "shield:GetSubscriptionState",
        ]
        Resource = "*" # none of these has resource-level permissions
      },
      {
        Sid    = "DiscoverScoped"
        Effect = "Allow"
        Action = [
          "ec2:GetSecurityGroupsForVpc", "acm:DescribeCertificate", "shield:DescribeProtection",
        ]
        Resource = [
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc/${var.vpc_id}",
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*",
          "arn:${local.partition}:acm:${local.region}:${local.account_id}:certificate/*",
          "arn:${local.partition}:shield::${local.account_id}:protection/*",
        ]
      },
      {
        Sid      = "ElbServiceLinkedRole"
        Effect   = "Allow"
        Action   = "iam:CreateServiceLinkedRole"
        Resource = "*"
        Condition = {
          StringEquals = { "iam:AWSServiceName" = "elasticloadbalancing.amazonaws.com" }
        }
      },
      {
        Sid      = "CreateTaggedSecurityGroups"
        Effect   = "Allow"
        Action   = "ec2:CreateSecurityGroup"
        Resource = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*"
        Condition = {
          StringEquals = { "aws:RequestTag/${local.lbc_cluster_tag}" = var.cluster_name }
        }
      },
      {
        Sid      = "CreateSecurityGroupsInVpc"
        Effect   = "Allow"
        Action   = "ec2:CreateSecurityGroup"
        Resource = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc/${var.vpc_id}"
      },
      {
        Sid      = "TagOnCreate"
        Effect   = "Allow"
        Action   = "ec2:CreateTags"
        Resource = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*"
        Condition = {
          StringEquals = { "ec2:CreateAction" = "CreateSecurityGroup" }
        }
      },
      {
        Sid    = "ManageOwnSecurityGroups"
        Effect = "Allow"
        Action = [
          "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup",
          "ec2:CreateTags", "ec2:DeleteTags",
        ]
        Resource  = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*"
        Condition = local.lbc_owned
      },
      {
        # Opening the nodes' (cluster) security group to the load balancer's group: the nodes'
        # group is not owned by the controller, so this one is scoped to the VPC's groups.
        Sid      = "AllowLbToNodes"
        Effect   = "Allow"
        Action   = ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]
        Resource = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*"
        Condition = {
          StringEquals = { "ec2:Vpc" = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc/${var.vpc_id}" }
        }
      },
      {
        Sid      = "CreateTaggedLoadBalancers"
        Effect   = "Allow"
        Action   = ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"]
        Resource = ["${local.elb_arn_prefix}:loadbalancer/*", "${local.elb_arn_prefix}:targetgroup/*"]
        Condition = {
          StringEquals = { "aws:RequestTag/${local.lbc_cluster_tag}" = var.cluster_name }
        }
      },
      {
        Sid    = "TagOnCreateLoadBalancers"
        Effect = "Allow"
        Action = "elasticloadbalancing:AddTags"
        Resource = [
          "${local.elb_arn_prefix}:loadbalancer/*", "${local.elb_arn_prefix}:targetgroup/*",
          "${local.elb_arn_prefix}:listener/*", "${local.elb_arn_prefix}:listener-rule/*",
        ]
        Condition = {
          StringEquals = {
            "elasticloadbalancing:CreateAction" = ["CreateTargetGroup", "CreateLoadBalancer", "CreateListener", "CreateRule"]
          }
        }
      },
      {
        Sid    = "ManageOwnLoadBalancers"
        Effect = "Allow"
        Action = [
          "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
          "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
          "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
          "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
          "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
          "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
          "elasticloadbalancing:CreateListener", "elasticloadbalancing:SetWebAcl",
        ]
        Resource  = ["${local.elb_arn_prefix}:loadbalancer/*", "${local.elb_arn_prefix}:targetgroup/*"]
        Condition = local.lbc_owned
      },
      {
        Sid      = "RegisterTargetsOfOwnTargetGroups"
        Effect   = "Allow"
        Action   = ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]
        Resource = "${local.elb_arn_prefix}:targetgroup/*"
      },
      {
        Sid    = "ManageListenersAndRules"
        Effect = "Allow"
        Action = [
          "elasticloadbalancing:ModifyListener", "elasticloadbalancing:DeleteListener",
          "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
          "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:CreateRule",
          "elasticloadbalancing:ModifyRule", "elasticloadbalancing:DeleteRule",
          "elasticloadbalancing:SetRulePriorities", "elasticloadbalancing:AddTags",
          "elasticloadbalancing:RemoveTags",
        ]
        Resource = ["${local.elb_arn_prefix}:listener/*", "${local.elb_arn_prefix}:listener-rule/*"]
      },
      {
        Sid    = "WebAcl"
        Effect = "Allow"
        Action = [
          "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
        ]
        Resource = [
          "arn:${local.partition}:wafv2:${local.region}:${local.account_id}:regional/*",
          "${local.elb_arn_prefix}:loadbalancer/app/*",
        ]
      },
    ]
  }
}

resource "aws_iam_role" "lb_controller" {
  name               = "${var.cluster_name}-aws-lb-controller"
  assume_role_policy = local.pod_identity_trust
  tags               = var.tags
}

resource "aws_iam_policy" "lb_controller" {
  name        = "${var.cluster_name}-aws-lb-controller"
  description = "AWS Load Balancer Controller of ${var.cluster_name}, limited to resources tagged for this cluster"
  policy      = jsonencode(local.lbc_policy)
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "lb_controller" {
  role       = aws_iam_role.lb_controller.name
  policy_arn = aws_iam_policy.lb_controller.arn
}

resource "aws_eks_pod_identity_association" "lb_controller" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = local.lbc_namespace
  service_account = local.lbc_service_account
  role_arn        = aws_iam_role.lb_controller.arn
  tags            = var.tags

  depends_on = [aws_eks_addon.before_nodes]
}
