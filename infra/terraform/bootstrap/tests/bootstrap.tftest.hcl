# Offline: the AWS provider is mocked, so `apply` here only evaluates the configuration with
# made-up computed values; nothing is created anywhere.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  # The provider still validates arguments, so ARNs that feed other resources must look real.
  mock_resource "aws_iam_policy" {
    defaults = { arn = "arn:aws:iam::111122223333:policy/mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
  }
}

variables {
  github_repository = "example-org/netflix-clone"
}

run "state_bucket_is_private_versioned_encrypted_tls_only" {
  command = apply

  assert {
    condition     = aws_s3_bucket.state.bucket == "netflix-clone-tfstate-111122223333-eu-west-1"
    error_message = "state bucket name must derive from account and region"
  }
  assert {
    condition     = aws_s3_bucket_versioning.state.versioning_configuration[0].status == "Enabled"
    error_message = "state bucket must be versioned"
  }
  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.state.block_public_acls,
      aws_s3_bucket_public_access_block.state.block_public_policy,
      aws_s3_bucket_public_access_block.state.ignore_public_acls,
      aws_s3_bucket_public_access_block.state.restrict_public_buckets,
    ])
    error_message = "state bucket must block all public access"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.state.rule : r.apply_server_side_encryption_by_default[0].sse_algorithm]) == "aws:kms"
    error_message = "state bucket must be KMS-encrypted"
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.state.policy).Statement :
      s.Effect == "Deny" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "state bucket policy must deny non-TLS requests"
  }
}

run "ecr_is_immutable_scanned_encrypted_and_keeps_tagged_images" {
  command = apply

  assert {
    condition     = aws_ecr_repository.app.name == "netflix-clone"
    error_message = "ECR repository must be named netflix-clone (docs/contracts.md)"
  }
  assert {
    condition     = aws_ecr_repository.app.image_tag_mutability == "IMMUTABLE"
    error_message = "ECR tags must be immutable"
  }
  assert {
    condition     = aws_ecr_repository.app.image_scanning_configuration[0].scan_on_push
    error_message = "ECR must scan on push"
  }
  assert {
    condition     = aws_ecr_repository.app.encryption_configuration[0].encryption_type == "KMS"
    error_message = "ECR must use KMS encryption"
  }
  assert {
    condition = [
      for r in jsondecode(aws_ecr_lifecycle_policy.app.policy).rules :
      [r.selection.tagStatus, r.selection.countType, r.selection.countNumber, try(r.selection.tagPatternList, [])]
      ] == [
      ["untagged", "sinceImagePushed", 14, []],
      ["tagged", "imageCountMoreThan", 300, ["*"]],
    ]
    error_message = "the ECR lifecycle policy must expire untagged images after 14 days and tagged ones beyond the newest 300"
  }
}

run "deploy_roles_trust_only_this_repo_and_environment" {
  command = apply

  assert {
    condition     = toset(keys(aws_iam_role.deploy)) == toset(["dev", "uat", "prod"])
    error_message = "one deploy role per environment"
  }
  assert {
    condition = alltrue([
      for e, r in aws_iam_role.deploy : r.name == "netflix-clone-deploy-${e}"
    ])
    error_message = "deploy roles must be named netflix-clone-deploy-<env>"
  }
  assert {
    condition = alltrue([
      for e, r in aws_iam_role.deploy : alltrue([
        for s in jsondecode(r.assume_role_policy).Statement :
        s.Action == "sts:AssumeRoleWithWebIdentity"
        && s.Principal.Federated == aws_iam_openid_connect_provider.github[0].arn
        && s.Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:example-org/netflix-clone:environment:${e}"
        && s.Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
        && length(keys(s.Condition)) == 1 # StringEquals only: no StringLike wildcard
      ])
    ])
    error_message = "deploy role trust must pin sub to repo:<owner/name>:environment:<env> and aud to sts.amazonaws.com"
  }
  assert {
    condition     = aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com"
    error_message = "OIDC provider must be GitHub Actions'"
  }
}

run "only_dev_pushes_images_and_state_access_is_per_environment" {
  command = apply

  assert {
    condition     = contains(flatten([for s in jsondecode(aws_iam_policy.deploy["dev/delivery"].policy).Statement : s.Action]), "ecr:PutImage")
    error_message = "dev's deploy role must be able to push images"
  }
  assert {
    condition = alltrue([
      for e in ["uat", "prod"] : alltrue([
        for a in flatten([for s in jsondecode(aws_iam_policy.deploy["${e}/delivery"].policy).Statement : s.Action]) :
        !contains(["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"], a)
      ])
    ])
    error_message = "uat and prod deploy roles must not push images"
  }
  assert {
    condition = alltrue([
      for e in ["dev", "uat", "prod"] : alltrue([
        for s in jsondecode(aws_iam_policy.deploy["${e}/delivery"].policy).Statement :
        s.Resource == "${aws_s3_bucket.state.arn}/netflix-clone/${e}/*"
        if s.Sid == "ReadWriteOwnState"
      ])
    ])
    error_message = "state object access must be limited to the environment's own key prefix"
  }
  assert {
    condition = alltrue(flatten([
      for k, p in aws_iam_policy.deploy : [
        for s in jsondecode(p.policy).Statement : !contains(flatten([s.Action]), "secretsmanager:GetSecretValue") && !contains(flatten([s.Action]), "secretsmanager:PutSecretValue")
      ]
    ]))
    error_message = "deploy roles must never read or write secret values"
  }
  assert {
    condition = alltrue(flatten([
      for k, p in aws_iam_policy.deploy : [
        for s in jsondecode(p.policy).Statement : !contains(flatten([s.Action]), "*") && (s.Effect == "Allow" || startswith(s.Sid, "Attach") || startswith(s.Sid, "Boundary"))
      ]
    ]))
    error_message = "deploy policies must not grant '*' (the only Deny statements are the IAM guards)"
  }
  assert {
    # IAM counts characters without whitespace; jsonencode writes none.
    condition     = alltrue([for k, p in aws_iam_policy.deploy : length(p.policy) <= 6144])
    error_message = "a deploy policy exceeds IAM's 6,144-character limit for managed policies"
  }
}

# No path from a deploy role to account admin: every role it may write carries the boundary,
# which it can neither remove nor edit, and roles go only to the services that use them.
run "deploy_roles_cannot_escalate" {
  command = apply

  # Role-writing actions: the ones with which a deploy role could hand a role more rights.
  variables {
    github_repository = "example-org/netflix-clone"
  }

  assert {
    condition = alltrue(flatten([
      for k, p in aws_iam_policy.deploy : [
        for s in jsondecode(p.policy).Statement :
        try(s.Condition.StringEquals["iam:PermissionsBoundary"], "") == "arn:aws:iam::111122223333:policy/netflix-clone-boundary-${split("/", k)[0]}"
        if s.Effect == "Allow" && length(setintersection(flatten([s.Action]), [
          "iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
          "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:*", "iam:Create*", "iam:Put*", "iam:Attach*",
        ])) > 0
      ]
    ]))
    error_message = "every statement that lets a deploy role create or change a role's policies must require the environment's permissions boundary"
  }
  assert {
    condition = alltrue([
      for e in ["dev", "uat", "prod"] : length([
        for s in jsondecode(aws_iam_policy.deploy["${e}/iam"].policy).Statement : s
        if s.Effect == "Allow" && contains(flatten([s.Action]), "iam:CreateRole")
      ]) == 1
    ])
    error_message = "each deploy role must be able to create (bounded) roles in exactly one statement"
  }
  assert {
    condition = alltrue(flatten([
      for k, p in aws_iam_policy.deploy : [
        for s in jsondecode(p.policy).Statement :
        !contains(flatten([s.Action]), "iam:UpdateAssumeRolePolicy") && !contains(flatten([s.Action]), "iam:DeleteRolePermissionsBoundary")
        if s.Effect == "Allow"
      ]
    ]))
    error_message = "a deploy role must neither rewrite trust policies nor remove a boundary"
  }
  assert {
    condition = alltrue([
      for e in ["dev", "uat", "prod"] : anytrue([
        for s in jsondecode(aws_iam_policy.deploy["${e}/iam"].policy).Statement :
        s.Effect == "Deny" && contains(flatten([s.Action]), "iam:DeleteRolePermissionsBoundary")
        ]) && anytrue([
        for s in jsondecode(aws_iam_policy.deploy["${e}/iam"].policy).Statement :
        s.Effect == "Deny" && contains(flatten([s.Action]), "iam:CreatePolicyVersion") && s.Resource == "arn:aws:iam::111122223333:policy/netflix-clone-boundary-${e}"
      ])
    ])
    error_message = "the boundary must be impossible to remove from a role or to edit"
  }
  assert {
    condition = alltrue(flatten([
      for k, p in merge(
        { for k, p in aws_iam_policy.deploy : k => jsondecode(p.policy) },
        { for e, p in aws_iam_policy.boundary : "${e}/boundary" => jsondecode(p.policy) },
        ) : [
        for s in p.Statement :
        length(keys(try(s.Condition.StringEquals, {}))) > 0 && length(try(s.Condition.StringEquals["iam:PassedToService"], [])) > 0
        if s.Effect == "Allow" && length(setintersection(flatten([s.Action]), ["iam:PassRole", "iam:*"])) > 0
      ]
    ]))
    error_message = "iam:PassRole must always be limited by iam:PassedToService"
  }
  assert {
    condition = alltrue(flatten([
      for k, p in aws_iam_policy.deploy : [
        for s in jsondecode(p.policy).Statement :
        (contains(try(s.Condition.StringEquals["iam:PassedToService"], []), "ec2.amazonaws.com") == false
          && contains(flatten([s.Action]), "ec2:RunInstances") == false
        && anytrue([for a in flatten([s.Action]) : strcontains(a, "LaunchTemplate")]) == false)
      ]
    ]))
    error_message = "a deploy role must not pass roles to EC2, run instances or manage launch templates"
  }
  assert {
    condition = alltrue(flatten([
      for e, p in aws_iam_policy.boundary : [
        for s in jsondecode(p.policy).Statement : [
          for a in flatten([s.Action]) :
          !startswith(a, "iam:") || contains([
            "iam:GetRole", "iam:ListAttachedRolePolicies", "iam:GetInstanceProfile", "iam:ListInstanceProfiles",
            "iam:CreateInstanceProfile", "iam:TagInstanceProfile", "iam:AddRoleToInstanceProfile",
            "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile", "iam:CreateServiceLinkedRole", "iam:PassRole",
          ], a)
        ] if s.Effect == "Allow"
      ]
    ]))
    error_message = "the boundary must allow no IAM writes beyond the instance profiles Auto Mode manages"
  }
}

run "plan_roles_are_read_only_and_trust_pull_requests" {
  command = apply

  assert {
    condition = alltrue([
      for e, r in aws_iam_role.plan : alltrue([
        for s in jsondecode(r.assume_role_policy).Statement :
        s.Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:example-org/netflix-clone:pull_request"
      ])
    ])
    error_message = "plan roles must trust this repository's pull-request jobs only"
  }
  assert {
    condition     = alltrue([for e, a in aws_iam_role_policy_attachment.plan_read_only : endswith(a.policy_arn, ":policy/ReadOnlyAccess")])
    error_message = "plan roles must be read-only"
  }
  assert {
    condition = alltrue(flatten([
      for e, p in aws_iam_role_policy.plan_state : [
        for s in jsondecode(p.policy).Statement : alltrue([
          for a in flatten([s.Action]) : contains(["s3:GetObject", "kms:Decrypt", "kms:GenerateDataKey"], a)
        ]) if s.Effect == "Allow"
      ]
    ]))
    error_message = "the plan role's own policy may only read its state: any pull request can assume it, so it must write nothing an apply reads"
  }
  assert {
    condition = alltrue([
      for e, p in aws_iam_role_policy.plan_state : anytrue([
        for s in jsondecode(p.policy).Statement :
        s.Effect == "Deny" && contains(flatten([s.Action]), "s3:PutObject") && try(s.Resource, "") == "${aws_s3_bucket.state.arn}/*"
      ])
    ])
    error_message = "the plan role must be denied every write to the state bucket, whatever else is attached to it"
  }
}

run "rejects_wildcard_repository" {
  command = plan

  variables {
    github_repository = "example-org/*"
  }

  expect_failures = [var.github_repository]
}

# --- One environment can't reach another ----------------------------------------------------
# In the default shared account, the dev deploy role has two ways up to the rights of a role it
# can write: (1) put an inline policy on one of its (bounded) roles, the app role say, and
# assume that role from a pod; (2) create a bounded role that trusts itself and step into it.
# Either way it holds whatever policy it wrote, intersected with netflix-clone-boundary-dev: so
# the boundary alone must keep prod's cluster, load balancers, database password and keys out of
# reach, and the deploy role's own policies must not reach them directly. tests/iam-eval decides
# each request the way IAM does; "cross_*" requests must be denied, "own_*" ones allowed (the
# controls that keep the check honest: a boundary that denied everything would break dev).

run "permission_documents" {
  command = apply
}

run "escalation_through_a_bounded_role_is_closed" {
  command = plan

  module {
    source = "./tests/iam-eval"
  }

  variables {
    policies = [run.permission_documents.permission_documents["dev"].boundary]
    requests = {
      cross_cluster_access_entry = {
        action   = "eks:CreateAccessEntry"
        resource = "arn:aws:eks:eu-west-1:111122223333:cluster/netflix-clone-prod"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_cluster_access_policy = {
        action   = "eks:AssociateAccessPolicy"
        resource = "arn:aws:eks:eu-west-1:111122223333:access-entry/netflix-clone-prod/role/111122223333/netflix-clone-dev-app/0a0b"
      }
      cross_cluster_describe = {
        action   = "eks:DescribeCluster"
        resource = "arn:aws:eks:eu-west-1:111122223333:cluster/netflix-clone-prod"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_pod_identity = {
        action   = "eks-auth:AssumeRoleForPodIdentity"
        resource = "arn:aws:eks:eu-west-1:111122223333:cluster/netflix-clone-prod"
      }
      cross_load_balancer_listener = {
        action   = "elasticloadbalancing:ModifyListener"
        resource = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/k8s-netflixc-0a1b2c/0123456789abcdef/fedcba9876543210"
        context  = { "aws:ResourceTag/eks:eks-cluster-name" = "netflix-clone-prod" }
      }
      cross_load_balancer_delete = {
        action   = "elasticloadbalancing:DeleteLoadBalancer"
        resource = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-netflixc-0a1b2c/0123456789abcdef"
        context  = { "aws:ResourceTag/eks:eks-cluster-name" = "netflix-clone-prod" }
      }
      cross_load_balancer_for_their_cluster = {
        action   = "elasticloadbalancing:CreateLoadBalancer"
        resource = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-x/0123456789abcdef"
        context  = { "aws:RequestTag/eks:eks-cluster-name" = "netflix-clone-prod" }
      }
      cross_database_password = {
        action   = "secretsmanager:GetSecretValue"
        resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-0a1b2c3d-AbCdEf"
        context  = { "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn" = "arn:aws:rds:eu-west-1:111122223333:db:netflix-clone-prod" }
      }
      cross_app_secret = {
        action   = "secretsmanager:GetSecretValue"
        resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:netflix-clone/prod/secret-key-AbCdEf"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_key = {
        action   = "kms:Decrypt"
        resource = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000001"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_database_login = {
        action   = "rds-db:connect"
        resource = "arn:aws:rds-db:eu-west-1:111122223333:dbuser:db-ABCDEFGHIJKLMNOP/netflix_clone_prod_app"
      }
      cross_cache_login = {
        action   = "elasticache:Connect"
        resource = "arn:aws:elasticache:eu-west-1:111122223333:replicationgroup:netflix-clone-prod"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_node = {
        action   = "ec2:TerminateInstances"
        resource = "arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0"
        context  = { "aws:ResourceTag/eks:eks-cluster-name" = "netflix-clone-prod" }
      }
      cross_security_group = {
        action   = "ec2:AuthorizeSecurityGroupIngress"
        resource = "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123456789abcdef0"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_logs = {
        action   = "logs:GetLogEvents"
        resource = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/eks/netflix-clone-prod/cluster:log-stream:kube-apiserver-audit"
      }
      cross_parameters = {
        action   = "ssm:GetParameter"
        resource = "arn:aws:ssm:eu-west-1:111122223333:parameter/netflix-clone/prod/database-host"
      }
      own_cluster_describe = {
        action   = "eks:DescribeCluster"
        resource = "arn:aws:eks:eu-west-1:111122223333:cluster/netflix-clone-dev"
        context  = { "aws:ResourceTag/environment" = "dev" }
      }
      own_pod_identity = {
        action   = "eks-auth:AssumeRoleForPodIdentity"
        resource = "arn:aws:eks:eu-west-1:111122223333:cluster/netflix-clone-dev"
      }
      own_database_password = {
        action   = "secretsmanager:GetSecretValue"
        resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-0f0e0d0c-AbCdEf"
        context  = { "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn" = "arn:aws:rds:eu-west-1:111122223333:db:netflix-clone-dev" }
      }
      own_app_secret = {
        action   = "secretsmanager:GetSecretValue"
        resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:netflix-clone/dev/secret-key-AbCdEf"
        context  = { "aws:ResourceTag/environment" = "dev" }
      }
      own_database_login = {
        action   = "rds-db:connect"
        resource = "arn:aws:rds-db:eu-west-1:111122223333:dbuser:db-QRSTUVWXYZABCDEF/netflix_clone_dev_app"
      }
      own_cache_login = {
        action   = "elasticache:Connect"
        resource = "arn:aws:elasticache:eu-west-1:111122223333:user:netflix-clone-dev-app"
        context  = { "aws:ResourceTag/environment" = "dev" }
      }
      own_load_balancer = {
        action   = "elasticloadbalancing:CreateLoadBalancer"
        resource = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-y/0123456789abcdef"
        context  = { "aws:RequestTag/eks:eks-cluster-name" = "netflix-clone-dev" }
      }
      own_node_launch = {
        action   = "ec2:RunInstances"
        resource = "arn:aws:ec2:eu-west-1:111122223333:instance/*"
        context  = { "aws:RequestTag/eks:eks-cluster-name" = "netflix-clone-dev" }
      }
      own_subnet_for_nodes = {
        action   = "ec2:RunInstances"
        resource = "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-0123456789abcdef0"
        context  = { "aws:ResourceTag/environment" = "dev" }
      }
      own_flow_logs = {
        action   = "logs:PutLogEvents"
        resource = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/netflix-clone-dev:log-stream:eni-0123"
        context  = { "aws:ResourceTag/environment" = "dev" }
      }
      own_rds_enhanced_monitoring = {
        action   = "logs:PutLogEvents"
        resource = "arn:aws:logs:eu-west-1:111122223333:log-group:RDSOSMetrics:log-stream:db-QRSTUVWXYZABCDEF"
      }
      own_image_pull = {
        action   = "ecr:BatchGetImage"
        resource = "arn:aws:ecr:eu-west-1:111122223333:repository/netflix-clone"
        context  = { "aws:ResourceTag/environment" = "shared" }
      }
      own_ami_lookup = {
        action   = "ssm:GetParameter"
        resource = "arn:aws:ssm:eu-west-1::parameter/aws/service/bottlerocket/aws-k8s-1.35/x86_64/latest/image_id"
      }
    }
  }

  assert {
    condition     = length(output.unsupported) == 0
    error_message = "the boundary uses condition operators tests/iam-eval does not implement: ${jsonencode(output.unsupported)}"
  }
  assert {
    condition     = alltrue([for name, d in output.decisions : !d.allowed if startswith(name, "cross_")])
    error_message = "a role inside netflix-clone-boundary-dev reaches another environment: ${jsonencode([for name, d in output.decisions : name if startswith(name, "cross_") && d.allowed])}"
  }
  assert {
    condition     = alltrue([for name, d in output.decisions : d.allowed if startswith(name, "own_")])
    error_message = "the dev boundary refuses what dev's own roles need: ${jsonencode({ for name, d in output.decisions : name => d if startswith(name, "own_") && !d.allowed })}"
  }
}

run "escalation_through_the_deploy_role_is_closed" {
  command = plan

  module {
    source = "./tests/iam-eval"
  }

  variables {
    policies = values(run.permission_documents.permission_documents["dev"].deploy)
    requests = {
      # Route 2 starts here: the one role it may create carries the dev boundary (the run above
      # shows what that amounts to); any other boundary, none, or another environment's name is
      # refused, and so are trust changes and another environment's roles.
      own_bounded_role = {
        action   = "iam:CreateRole"
        resource = "arn:aws:iam::111122223333:role/netflix-clone-dev-stepping-stone"
        context  = { "iam:PermissionsBoundary" = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-dev" }
      }
      cross_boundary_role = {
        action   = "iam:CreateRole"
        resource = "arn:aws:iam::111122223333:role/netflix-clone-dev-stepping-stone"
        context  = { "iam:PermissionsBoundary" = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-prod" }
      }
      cross_unbounded_role = {
        action   = "iam:CreateRole"
        resource = "arn:aws:iam::111122223333:role/netflix-clone-dev-stepping-stone"
      }
      cross_role_name = {
        action   = "iam:CreateRole"
        resource = "arn:aws:iam::111122223333:role/netflix-clone-prod-stepping-stone"
        context  = { "iam:PermissionsBoundary" = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-dev" }
      }
      cross_trust_change = {
        action   = "iam:UpdateAssumeRolePolicy"
        resource = "arn:aws:iam::111122223333:role/netflix-clone-app-dev"
      }
      cross_their_app_role = {
        action   = "iam:PutRolePolicy"
        resource = "arn:aws:iam::111122223333:role/netflix-clone-app-prod"
        context  = { "iam:PermissionsBoundary" = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-prod" }
      }
      cross_pass_their_role = {
        action   = "iam:PassRole"
        resource = "arn:aws:iam::111122223333:role/netflix-clone-app-prod"
        context  = { "iam:PassedToService" = "pods.eks.amazonaws.com" }
      }
      cross_cluster_access_entry = {
        action   = "eks:CreateAccessEntry"
        resource = "arn:aws:eks:eu-west-1:111122223333:cluster/netflix-clone-prod"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_database_password = {
        action   = "secretsmanager:GetSecretValue"
        resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-0a1b2c3d-AbCdEf"
        context  = { "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn" = "arn:aws:rds:eu-west-1:111122223333:db:netflix-clone-prod" }
      }
      cross_database_secret_tags = {
        action   = "secretsmanager:TagResource"
        resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-0a1b2c3d-AbCdEf"
        context  = { "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn" = "arn:aws:rds:eu-west-1:111122223333:db:netflix-clone-prod" }
      }
      cross_database = {
        action   = "rds:ModifyDBInstance"
        resource = "arn:aws:rds:eu-west-1:111122223333:db:netflix-clone-prod"
      }
      cross_cache = {
        action   = "elasticache:ModifyReplicationGroup"
        resource = "arn:aws:elasticache:eu-west-1:111122223333:replicationgroup:netflix-clone-prod"
      }
      cross_security_group = {
        action   = "ec2:AuthorizeSecurityGroupIngress"
        resource = "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123456789abcdef0"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_key = {
        action   = "kms:Decrypt"
        resource = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000001"
        context  = { "aws:ResourceTag/environment" = "prod" }
      }
      cross_load_balancer = {
        action   = "elasticloadbalancing:DeleteLoadBalancer"
        resource = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-netflixc-0a1b2c/0123456789abcdef"
        context  = { "aws:ResourceTag/eks:eks-cluster-name" = "netflix-clone-prod" }
      }
      cross_parameters = {
        action   = "ssm:PutParameter"
        resource = "arn:aws:ssm:eu-west-1:111122223333:parameter/netflix-clone/prod/database-host"
      }
      cross_runner = {
        action   = "codebuild:UpdateProject"
        resource = "arn:aws:codebuild:eu-west-1:111122223333:project/netflix-clone-prod-runner"
      }
      own_cluster_access_entry = {
        action   = "eks:CreateAccessEntry"
        resource = "arn:aws:eks:eu-west-1:111122223333:cluster/netflix-clone-dev"
        context  = { "aws:ResourceTag/environment" = "dev" }
      }
      own_vpc = {
        action   = "ec2:CreateVpc"
        resource = "arn:aws:ec2:eu-west-1:111122223333:vpc/*"
        context  = { "aws:RequestTag/environment" = "dev" }
      }
      # What later infra.yml applies of dev change (each was refused before: the cache's own
      # parameter group, the runner's log group).
      own_cache_parameter_group = {
        action   = "elasticache:ModifyCacheParameterGroup"
        resource = "arn:aws:elasticache:eu-west-1:111122223333:parametergroup:netflix-clone-dev-cache"
      }
      own_runner_log_group = {
        action   = "logs:PutRetentionPolicy"
        resource = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/codebuild/netflix-clone-dev-runner"
      }
      own_database_secret_on_create = {
        action   = "secretsmanager:CreateSecret"
        resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-0f0e0d0c-AbCdEf"
      }
      own_app_pod_identity = {
        action   = "iam:PassRole"
        resource = "arn:aws:iam::111122223333:role/netflix-clone-app-dev"
        context  = { "iam:PassedToService" = "pods.eks.amazonaws.com" }
      }
      own_load_balancer_lookup = {
        action   = "elasticloadbalancing:DescribeLoadBalancers"
        resource = "*"
      }
      own_version_calendar = {
        action   = "eks:DescribeClusterVersions"
        resource = "*"
      }
    }
  }

  assert {
    condition     = length(output.unsupported) == 0
    error_message = "the deploy policies use condition operators tests/iam-eval does not implement: ${jsonencode(output.unsupported)}"
  }
  assert {
    condition     = alltrue([for name, d in output.decisions : !d.allowed if startswith(name, "cross_")])
    error_message = "the dev deploy role reaches another environment: ${jsonencode([for name, d in output.decisions : name if startswith(name, "cross_") && d.allowed])}"
  }
  assert {
    condition     = alltrue([for name, d in output.decisions : d.allowed if startswith(name, "own_")])
    error_message = "the dev deploy role is refused what dev's applies need: ${jsonencode({ for name, d in output.decisions : name => d if startswith(name, "own_") && !d.allowed })}"
  }
}

# --- modules/observability: applied by the deploy role, its roles inside the boundary ---------
# The module is applied here, offline with its own mocks, once as dev and once as prod; its
# outputs managed_names (what it names in the account) and role_policies (what its Pod Identity
# roles ask for) are then decided against the bootstrap's documents. So a name the module
# changes, a resource it adds or a grant bootstrap narrows fails here, not at the first real
# apply. "own_*": dev's deploy role / dev's boundary must allow it; "cross_*": the same call on
# prod's names must be denied. tests/infra/test_deploy_permissions.py checks every resource type
# of the module is covered by a kind below.

mock_provider "aws" {
  alias  = "observability"
  source = "../modules/observability/tests/mocks"
}

run "observability_in_dev" {
  command = apply

  module {
    source = "../modules/observability"
  }
  providers = {
    aws = aws.observability
  }

  # After the first release, so the load balancer's alarms are there too.
  override_data {
    target = data.aws_lbs.app
    values = { arns = ["arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-netflixc-netflixc-0123456789/0123456789abcdef"] }
  }

  variables {
    environment    = "dev"
    cluster_name   = "netflix-clone-dev"
    namespace      = "netflix-clone-dev"
    parameter_path = "/netflix-clone/dev"
    targets = {
      db_instance_id             = "netflix-clone-dev"
      db_allocated_storage_gib   = 20
      db_read_replica_ids        = []
      cache_replication_group_id = "netflix-clone-dev"
      cache_member_clusters      = ["netflix-clone-dev-001"]
      certificate_arn            = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
    }
    alarm_subscriptions      = [{ protocol = "email", endpoint = "oncall@example.com" }]
    db_connections_threshold = 65
    permissions_boundary_arn = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-dev"
  }
}

run "observability_in_prod" {
  command = apply

  module {
    source = "../modules/observability"
  }
  providers = {
    aws = aws.observability
  }

  override_data {
    target = data.aws_lbs.app
    values = { arns = ["arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-netflixc-netflixc-9876543210/fedcba9876543210"] }
  }

  variables {
    environment    = "prod"
    cluster_name   = "netflix-clone-prod"
    namespace      = "netflix-clone-prod"
    parameter_path = "/netflix-clone/prod"
    targets = {
      db_instance_id             = "netflix-clone-prod"
      db_allocated_storage_gib   = 100
      db_read_replica_ids        = ["netflix-clone-prod-replica-1"]
      cache_replication_group_id = "netflix-clone-prod"
      cache_member_clusters      = ["netflix-clone-prod-001", "netflix-clone-prod-002"]
      certificate_arn            = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000001"
    }
    alarm_subscriptions      = [{ protocol = "email", endpoint = "oncall@example.com" }]
    db_connections_threshold = 400
    permissions_boundary_arn = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-prod"
  }
}

run "the_dev_deploy_role_applies_observability_and_nothing_of_prod" {
  command = plan

  module {
    source = "./tests/iam-eval"
  }

  variables {
    policies = values(run.permission_documents.permission_documents["dev"].deploy)
    # Every call the provider makes to create, read, change and delete each kind of resource of
    # the module, on dev's names (own_) and on prod's (cross_): the operations hashicorp/aws
    # 5.100.0 sent when it applied, refreshed and destroyed the module against moto (TF_LOG=DEBUG,
    # 2026-12-07), as IAM actions, plus the EKS add-on and Pod Identity calls moto cannot answer
    # and the tagging a real account asks for. The KMS keys and Pod Identity associations have no
    # name before they exist: their ARNs are made up, their tags are not.
    requests = merge(concat(
      [for side, m in { own = run.observability_in_dev.managed_names, cross = run.observability_in_prod.managed_names } : merge(
        { for p in setproduct(m.log_groups, [
          "logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:TagResource",
          "logs:ListTagsForResource", "logs:UntagResource", "logs:DeleteLogGroup",
          ]) : "${side}_${p[1]} ${p[0]}" => {
          action = p[1], resource = "arn:aws:logs:eu-west-1:111122223333:log-group:${p[0]}"
        } },
        { for p in setproduct(distinct(values(m.metric_filters)), ["logs:PutMetricFilter", "logs:DescribeMetricFilters", "logs:DeleteMetricFilter"]) :
          "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:logs:eu-west-1:111122223333:log-group:${p[0]}" }
        },
        { for p in setproduct(m.topics, [
          "sns:CreateTopic", "sns:TagResource", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
          "sns:ListTagsForResource", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:DeleteTopic",
          ]) : "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:sns:eu-west-1:111122223333:${p[0]}" }
        },
        # Subscription calls: SNS authorizes them against the subscription's topic.
        { for p in setproduct(m.topics, ["sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"]) :
          "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:sns:eu-west-1:111122223333:${p[0]}" }
        },
        { for p in setproduct(m.metric_alarms, ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:ListTagsForResource", "cloudwatch:DeleteAlarms"]) :
          "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${p[0]}" }
        },
        { for p in setproduct(m.composite_alarms, ["cloudwatch:PutCompositeAlarm", "cloudwatch:TagResource", "cloudwatch:ListTagsForResource", "cloudwatch:DeleteAlarms"]) :
          "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${p[0]}" }
        },
        { for p in setproduct(m.dashboards, ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"]) :
          "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:cloudwatch::111122223333:dashboard/${p[0]}" }
        },
        { for p in setproduct(m.buckets, [
          "s3:CreateBucket", "s3:ListBucket", "s3:PutBucketTagging", "s3:GetBucketTagging", "s3:GetBucketPolicy",
          "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite",
          "s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment",
          "s3:GetBucketLogging", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration",
          "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
          "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
          "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:DeleteBucket",
          ]) : "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:s3:::${p[0]}" }
        },
        { for p in setproduct(m.parameters, ["ssm:PutParameter", "ssm:GetParameter", "ssm:AddTagsToResource", "ssm:ListTagsForResource", "ssm:DeleteParameter"]) :
          "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:ssm:eu-west-1:111122223333:parameter${p[0]}" }
        },
        { for p in setproduct(m.kms_aliases, ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]) :
          "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:kms:eu-west-1:111122223333:${p[0]}" }
        },
        { for a in ["kms:CreateKey", "kms:TagResource"] : "${side}_${a} for ${m.cluster}" => {
          action = a, resource = "*", context = { "aws:RequestTag/environment" = side == "own" ? "dev" : "prod" }
        } },
        { for a in [
          "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
          "kms:ListResourceTags", "kms:CreateAlias", "kms:DeleteAlias", "kms:ScheduleKeyDeletion",
          ] : "${side}_${a} key of ${m.cluster}" => {
          action   = a
          resource = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-00000000000${side == "own" ? "a" : "b"}"
          context  = { "aws:ResourceTag/environment" = side == "own" ? "dev" : "prod" }
        } },
        { for p in setproduct(m.roles, [
          "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRole", "iam:TagRole", "iam:GetRolePolicy",
          "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:DeleteRole",
          ]) : "${side}_${p[1]} ${p[0]}" => {
          action   = p[1]
          resource = "arn:aws:iam::111122223333:role/${p[0]}"
          context  = { "iam:PermissionsBoundary" = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-${side == "own" ? "dev" : "prod"}" }
        } },
        { for r in m.roles : "${side}_iam:PassRole ${r}" => {
          action = "iam:PassRole", resource = "arn:aws:iam::111122223333:role/${r}", context = { "iam:PassedToService" = "pods.eks.amazonaws.com" }
        } },
        { for p in setproduct(m.addons, ["eks:CreateAddon", "eks:DescribeAddon", "eks:UpdateAddon", "eks:TagResource", "eks:DeleteAddon"]) :
          "${side}_${p[1]} ${p[0]}" => { action = p[1], resource = "arn:aws:eks:eu-west-1:111122223333:addon/${m.cluster}/${p[0]}/0ac7a0e1-0000-0000-0000-000000000000" }
        },
        { for a in ["eks:CreateAddon", "eks:CreatePodIdentityAssociation"] : "${side}_${a} on ${m.cluster}" => {
          action = a, resource = "arn:aws:eks:eu-west-1:111122223333:cluster/${m.cluster}"
        } },
        { for a in ["eks:CreateAddon", "eks:DescribePodIdentityAssociation", "eks:UpdatePodIdentityAssociation", "eks:TagResource", "eks:DeletePodIdentityAssociation"] :
          "${side}_${a} association of ${m.cluster}" => { action = a, resource = "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/${m.cluster}/a-0123456789abcdef0" }
        },
      )],
      # Lookups without resource-level permissions (or, for DescribeAlarms, authorized against
      # alarm:*): reads of the whole account, so there is no prod to deny.
      [{
        "own_logs:DescribeLogGroups"                     = { action = "logs:DescribeLogGroups", resource = "*" }
        "own_cloudwatch:DescribeAlarms"                  = { action = "cloudwatch:DescribeAlarms", resource = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*" }
        "own_elasticloadbalancing:DescribeLoadBalancers" = { action = "elasticloadbalancing:DescribeLoadBalancers", resource = "*" }
        "own_elasticloadbalancing:DescribeTags"          = { action = "elasticloadbalancing:DescribeTags", resource = "*" }
        "own_eks:DescribeAddonVersions"                  = { action = "eks:DescribeAddonVersions", resource = "*" }
        "own_eks:DescribeAddonConfiguration"             = { action = "eks:DescribeAddonConfiguration", resource = "*" }
        "own_ssm:DescribeParameters"                     = { action = "ssm:DescribeParameters", resource = "*" }
        "own_kms:ListAliases"                            = { action = "kms:ListAliases", resource = "*" }
      }],
    )...)
  }

  assert {
    condition     = length(output.unsupported) == 0
    error_message = "the deploy policies use condition operators tests/iam-eval does not implement: ${jsonencode(output.unsupported)}"
  }
  assert {
    condition     = length([for name in keys(output.decisions) : name if startswith(name, "cross_")]) >= 100 && length([for name in keys(output.decisions) : name if startswith(name, "own_")]) >= 100
    error_message = "the module's names did not reach the requests (an output of modules/observability is empty?)"
  }
  assert {
    condition     = alltrue([for name, d in output.decisions : !d.allowed if startswith(name, "cross_")])
    error_message = "the dev deploy role reaches prod's observability: ${jsonencode([for name, d in output.decisions : name if startswith(name, "cross_") && d.allowed])}"
  }
  assert {
    condition     = alltrue([for name, d in output.decisions : d.allowed if startswith(name, "own_")])
    error_message = "the dev deploy role cannot apply modules/observability: ${jsonencode({ for name, d in output.decisions : name => d if startswith(name, "own_") && !d.allowed })}"
  }
}

run "the_collectors_roles_work_inside_the_dev_boundary_only" {
  command = plan

  module {
    source = "./tests/iam-eval"
  }

  variables {
    policies = [run.permission_documents.permission_documents["dev"].boundary]
    # own_: each (action, resource) the module's dev roles are given must pass dev's boundary;
    # cross_: prod's roles' grants (prod's log groups), given to a role inside dev's boundary,
    # must not (account-wide "*" grants such as DescribeLogGroups are left out of cross_).
    requests = merge([
      for side, policies in { own = run.observability_in_dev.role_policies, cross = run.observability_in_prod.role_policies } : {
        for g in flatten([
          for role, policy in policies : [
            for s in policy.Statement : [
              for p in setproduct(flatten([s.Action]), flatten([s.Resource])) : { role = role, action = p[0], resource = p[1] }
            ] if s.Effect == "Allow"
          ]
        ]) : "${side}_${g.role} ${g.action} ${g.resource}" => { action = g.action, resource = g.resource }
        if side == "own" || g.resource != "*"
      }
    ]...)
  }

  assert {
    condition     = length(output.unsupported) == 0
    error_message = "the boundary uses condition operators tests/iam-eval does not implement: ${jsonencode(output.unsupported)}"
  }
  assert {
    condition     = length([for name in keys(output.decisions) : name if startswith(name, "cross_")]) >= 10 && length([for name in keys(output.decisions) : name if startswith(name, "own_")]) >= 10
    error_message = "the module's role policies did not reach the requests"
  }
  assert {
    condition     = alltrue([for name, d in output.decisions : !d.allowed if startswith(name, "cross_")])
    error_message = "a role inside netflix-clone-boundary-dev writes prod's log groups: ${jsonencode([for name, d in output.decisions : name if startswith(name, "cross_") && d.allowed])}"
  }
  assert {
    condition     = alltrue([for name, d in output.decisions : d.allowed if startswith(name, "own_")])
    error_message = "the dev boundary refuses what the add-on's or the collector's role is given: ${jsonencode({ for name, d in output.decisions : name => d if startswith(name, "own_") && !d.allowed })}"
  }
}
