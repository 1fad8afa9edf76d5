# terraform init -backend-config=backend.hcl
# bucket and kms_key_id: the bootstrap root's outputs state_bucket_name and state_kms_key_arn.
bucket               = "REPLACE_ME_STATE_BUCKET"
kms_key_id           = "REPLACE_ME_STATE_KMS_KEY_ARN"
key                  = "netflix-clone/uat/terraform.tfstate"
workspace_key_prefix = "netflix-clone/uat/workspaces"
region               = "eu-west-1"
encrypt              = true
use_lockfile         = true
