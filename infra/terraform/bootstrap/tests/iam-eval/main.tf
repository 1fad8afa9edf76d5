# A small IAM policy evaluator for the bootstrap's tests (bootstrap.tftest.hcl runs it as a
# helper module): do these policy documents, taken together, allow a request?
#
# It implements what the bootstrap's policies use: Action/NotAction, Resource/NotResource with
# IAM's wildcards (* and ?), Allow and Deny (an explicit Deny wins), and the condition operators
# String(Not)Equals, String(Not)Like, Arn(Not)Equals, Arn(Not)Like, Null and Bool, each also
# ...IfExists and ForAllValues:/ForAnyValue: on single-valued keys. A condition key missing from
# the request is false for the positive operators, true for the negated ones and for IfExists,
# as in IAM. Any other operator is listed in `unsupported`, so a policy that starts using one
# cannot pass a test by being misread. Keys and values are compared as given (the tests write
# them as the policies do); actions case-insensitively.

variable "policies" {
  description = "Policy documents (decoded), evaluated together as IAM evaluates the policies of one principal (or one boundary)."
  type        = any
}

variable "requests" {
  description = "Requests to decide: the action, the resource ARN and the condition keys of the request context."
  type = map(object({
    action   = string
    resource = string
    context  = optional(map(string), {})
  }))
}

locals {
  supported = [
    "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals",
    "ArnLike", "ArnNotLike", "Null", "Bool",
  ]
  negated = ["StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"]
  globbed = ["StringLike", "StringNotLike", "ArnLike", "ArnNotLike"]

  statements = flatten([
    for p in var.policies : [
      for s in p.Statement : {
        sid           = try(s.Sid, "")
        effect        = s.Effect
        actions       = [for a in try(flatten([s.Action]), []) : lower(a)]
        not_actions   = [for a in try(flatten([s.NotAction]), []) : lower(a)]
        resources     = try(flatten([s.Resource]), [])
        not_resources = try(flatten([s.NotResource]), [])
        conditions = flatten([
          for op, keys in try(s.Condition, {}) : [
            for key, v in keys : {
              set       = startswith(op, "ForAllValues:") ? "all" : (startswith(op, "ForAnyValue:") ? "any" : "")
              op        = trimsuffix(replace(replace(op, "ForAllValues:", ""), "ForAnyValue:", ""), "IfExists")
              if_exists = endswith(op, "IfExists")
              key       = key
              values    = [for x in flatten([v]) : tostring(x)]
            }
          ]
        ])
      }
    ]
  ])

  # IAM wildcards as anchored regular expressions: escape what RE2 would read, then * and ?.
  patterns = distinct(concat(
    flatten([for s in local.statements : concat(s.actions, s.not_actions, s.resources, s.not_resources)]),
    flatten([for s in local.statements : [for c in s.conditions : c.values if contains(local.globbed, c.op)]]),
  ))
  regex = {
    for p in local.patterns :
    p => "^${replace(replace(replace(p, "/[.+^$()|{}\\[\\]\\\\]/", "\\$0"), "*", ".*"), "?", ".")}$"
  }

  decisions = {
    for name, r in var.requests : name => [
      for s in local.statements : {
        sid    = s.sid
        effect = s.effect
        action = (
          length(s.actions) > 0
          ? anytrue([for p in s.actions : can(regex(local.regex[p], lower(r.action)))])
          : anytrue([for p in s.not_actions : can(regex(local.regex[p], lower(r.action)))]) == false
        )
        resource = (
          length(s.resources) > 0
          ? anytrue([for p in s.resources : can(regex(local.regex[p], r.resource))])
          : anytrue([for p in s.not_resources : can(regex(local.regex[p], r.resource))]) == false
        )
        conditions = alltrue([
          for c in s.conditions : (
            c.op == "Null" ? contains(keys(r.context), c.key) == (c.values[0] == "false") :
            contains(keys(r.context), c.key) == false ? (contains(local.negated, c.op) || c.if_exists || c.set == "all") :
            contains(["StringEquals", "ArnEquals", "Bool"], c.op) ? contains(c.values, r.context[c.key]) :
            contains(["StringNotEquals", "ArnNotEquals"], c.op) ? contains(c.values, r.context[c.key]) == false :
            contains(["StringLike", "ArnLike"], c.op) ? anytrue([for v in c.values : can(regex(local.regex[v], r.context[c.key]))]) :
            contains(["StringNotLike", "ArnNotLike"], c.op) ? anytrue([for v in c.values : can(regex(local.regex[v], r.context[c.key]))]) == false :
            false
          )
        ])
      }
    ]
  }
}

output "decisions" {
  description = "Per request: allowed (an Allow matched and no Deny did), and the Sids of the matching Allow and Deny statements."
  value = {
    for name, matches in local.decisions : name => {
      allowed_by = [for m in matches : m.sid if m.effect == "Allow" && m.action && m.resource && m.conditions]
      denied_by  = [for m in matches : m.sid if m.effect == "Deny" && m.action && m.resource && m.conditions]
      allowed = (
        anytrue([for m in matches : m.effect == "Allow" && m.action && m.resource && m.conditions])
        && !anytrue([for m in matches : m.effect == "Deny" && m.action && m.resource && m.conditions])
      )
    }
  }
}

output "unsupported" {
  description = "Condition operators the policies use that this evaluator does not implement (must be empty)."
  value       = distinct(flatten([for s in local.statements : [for c in s.conditions : c.op if !contains(local.supported, c.op)]]))
}
