# The preview workflow's role (previews.tf) can only touch previews: preview-named resources,
# created with and changed under the tag preview=pr-<n>, the previews' own image repository, and
# the two preview task roles passed to ECS tasks. Offline: the AWS provider is mocked.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
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

run "preview_role_touches_only_previews" {
  command = apply

  assert {
    condition     = keys(aws_iam_role.preview) == ["dev"] && aws_iam_role.preview["dev"].name == "netflix-clone-preview-dev"
    error_message = "one preview role, netflix-clone-preview-dev, for the dev account only"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role.preview["dev"].assume_role_policy).Statement :
      s.Action == "sts:AssumeRoleWithWebIdentity"
      && s.Principal.Federated == aws_iam_openid_connect_provider.github[0].arn
      && s.Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:example-org/netflix-clone:environment:preview"
      && s.Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
      && length(keys(s.Condition)) == 1
    ])
    error_message = "the preview role trusts exactly this repository's jobs in the GitHub Environment preview (no wildcard)"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.preview["dev"].policy).Statement :
      s.Effect == "Allow" && alltrue([for a in flatten([s.Action]) : !endswith(a, "*")])
    ])
    error_message = "the preview policy allows named actions only: no wildcards, no Deny tricks"
  }
  # Every action that creates something must name a preview and carry preview=pr-*, every
  # action that changes or deletes must find preview=pr-* on the resource or name one; reads
  # and the image push are the only other grants.
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.preview["dev"].policy).Statement : (
        try(s.Condition.StringLike["aws:RequestTag/preview"], "") == "pr-*"
        || try(s.Condition.StringLike["aws:ResourceTag/preview"], "") == "pr-*"
        || alltrue([for r in flatten([s.Resource]) : can(regex("(/pr-\\*|-pr-\\*|-previews$|-previews:\\*$|/previews/config$|-preview-(execution|task)$)", r))])
        || alltrue([for a in flatten([s.Action]) : can(regex(":(Describe|List|Get)[A-Za-z]*$", a)) && a != "secretsmanager:GetSecretValue"])
      )
    ])
    error_message = "a preview-role statement neither requires the preview tag nor names preview resources, and is not read-only"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.preview["dev"].policy).Statement :
      try(s.Condition.StringLike["aws:RequestTag/preview"], "") == "pr-*"
      if length(setintersection(flatten([s.Action]), [
        "ecs:RegisterTaskDefinition", "ecs:CreateService", "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:CreateRule", "secretsmanager:CreateSecret",
      ])) > 0
    ])
    error_message = "every create must carry the tag preview=pr-<n>"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.preview["dev"].policy).Statement :
      try(s.Condition.StringLike["aws:ResourceTag/preview"], "") == "pr-*"
      if length(setintersection(flatten([s.Action]), [
        "ecs:UpdateService", "ecs:DeleteService", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyTargetGroup", "secretsmanager:DeleteSecret",
      ])) > 0
    ])
    error_message = "every change or delete must require the tag preview=pr-<n> on the resource (the shared pieces carry preview=shared)"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.preview["dev"].policy).Statement :
      s.Resource == "arn:aws:ecr:*:111122223333:repository/netflix-clone-dev-previews"
      if contains(flatten([s.Action]), "ecr:PutImage")
    ]) && !strcontains(aws_iam_policy.preview["dev"].policy, "repository/netflix-clone\"")
    error_message = "preview images go to netflix-clone-dev-previews only, never to the release repository"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.preview["dev"].policy).Statement : [
        for a in flatten([s.Action]) : !startswith(a, "iam:") || (
          a == "iam:PassRole"
          && try(s.Condition.StringEquals["iam:PassedToService"], []) == ["ecs-tasks.amazonaws.com"]
          && s.Resource == ["arn:aws:iam::111122223333:role/netflix-clone-dev-preview-execution", "arn:aws:iam::111122223333:role/netflix-clone-dev-preview-task"]
        )
      ]
    ]))
    error_message = "the only IAM right is passing the two preview task roles to ECS tasks"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.preview["dev"].policy).Statement : [
        for a in flatten([s.Action]) : !contains(["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "kms:Decrypt"], a)
      ]
    ]))
    error_message = "the workflow writes a preview's secret once and never reads a secret value"
  }
  assert {
    condition     = length(aws_iam_policy.preview["dev"].policy) <= 6144 && length(aws_iam_policy.deploy_previews["dev"].policy) <= 6144
    error_message = "a previews policy exceeds IAM's 6,144-character limit"
  }
  assert {
    condition     = aws_iam_role_policy_attachment.preview["dev"].role == aws_iam_role.preview["dev"].name
    error_message = "the preview policy is attached to the preview role"
  }
}

run "deploy_role_can_apply_the_previews_module_and_nothing_more" {
  command = apply

  assert {
    condition     = keys(aws_iam_role_policy_attachment.deploy_previews) == ["dev"] && aws_iam_role_policy_attachment.deploy_previews["dev"].role == aws_iam_role.deploy["dev"].name
    error_message = "only dev's deploy role gets the previews rights"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.deploy_previews["dev"].policy).Statement : [
        for a in flatten([s.Action]) : !endswith(a, "*") && (!startswith(a, "iam:") || (
          a == "iam:CreateServiceLinkedRole"
          && toset(try(s.Condition.StringEquals["iam:AWSServiceName"], [])) == toset(["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com"])
        ))
      ] if s.Effect == "Allow"
    ]))
    error_message = "the deploy role's previews rights hold no wildcard action and no IAM write but ECS's and ELB's service-linked roles"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.deploy_previews["dev"].policy).Statement : [
        for r in flatten([s.Resource]) : r == "*" ? alltrue([for a in flatten([s.Action]) : can(regex(":Describe[A-Za-z]*$", a))]) : true
      ]
    ]))
    error_message = "only describe calls may use Resource *"
  }
}

run "no_previews_without_a_previews_environment" {
  command = apply

  variables {
    preview_environment = null
  }

  assert {
    condition     = length(aws_iam_role.preview) == 0 && length(aws_iam_policy.deploy_previews) == 0 && output.preview_role_arns == {}
    error_message = "preview_environment = null creates no preview role and no previews rights"
  }
}

run "an_account_without_the_previews_environment_has_no_preview_role" {
  command = apply

  variables {
    environments = ["prod"]
  }

  assert {
    condition     = length(aws_iam_role.preview) == 0
    error_message = "the prod account (bootstrapped with environments = [prod]) gets no preview role"
  }
}
