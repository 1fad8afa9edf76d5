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
          || (a == "s3:PutObject" && s.Resource == "${aws_s3_bucket.state.arn}/netflix-clone/${e}/plans/*")
        ]) if s.Effect == "Allow"
      ]
    ]))
    error_message = "the plan role's own policy may only read its state and save plans under <env>/plans/"
  }
}

run "rejects_wildcard_repository" {
  command = plan

  variables {
    github_repository = "example-org/*"
  }

  expect_failures = [var.github_repository]
}
