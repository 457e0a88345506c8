# The Kubernetes side the operator does not own: the namespace, the identity the brokers run as,
# and (static credentials only) the Secret the SluiceCluster points at.
resource "kubernetes_namespace_v1" "sluice" {
  count = var.create_namespace ? 1 : 0
  metadata {
    name   = var.namespace
    labels = local.labels
  }
}

locals {
  # IRSA: the pod identity webhook injects a web identity token and AWS_ROLE_ARN into pods of a
  # ServiceAccount with this annotation; the AWS SDK's default chain (what a broker uses when the
  # SluiceCluster names no credentials Secret) picks both up.
  service_account_annotations = local.irsa ? { "eks.amazonaws.com/role-arn" = one(aws_iam_role.broker[*].arn) } : {}
}

# Kubernetes creates `default` in every namespace by itself; this resource adopts it (waiting for
# it to exist) instead of racing to create it.
resource "kubernetes_default_service_account_v1" "broker" {
  count = var.service_account_name == "default" && local.irsa ? 1 : 0
  metadata {
    namespace   = local.namespace
    annotations = local.service_account_annotations
  }
}

resource "kubernetes_service_account_v1" "broker" {
  count = var.service_account_name == "default" ? 0 : 1
  metadata {
    name        = var.service_account_name
    namespace   = local.namespace
    labels      = local.labels
    annotations = local.service_account_annotations
  }
}

# Only for static credentials: with IRSA there is no long-lived secret anywhere.
resource "kubernetes_secret_v1" "credentials" {
  count = local.irsa ? 0 : 1
  metadata {
    name      = local.credentials_secret_name
    namespace = local.namespace
    labels    = local.labels
  }
  # The key names the operator reads (spec.objectStore.credentialsSecret).
  data = {
    "access-key" = var.static_credentials.access_key_id
    "secret-key" = var.static_credentials.secret_access_key
  }
  type = "Opaque"

  lifecycle {
    precondition {
      condition     = var.static_credentials != null
      error_message = "credentials = \"static\" needs static_credentials."
    }
  }
}
