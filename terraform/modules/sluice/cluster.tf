# The SluiceCluster: the operator turns it into the brokers' StatefulSet, Services, ConfigMap,
# PodDisruptionBudget and NetworkPolicy. Optional fields are left out rather than set to null:
# kubernetes_manifest would send the null and show a difference on every plan.
locals {
  cluster_spec = merge(
    {
      replicas = var.replicas
      version  = var.sluice_version
      storage  = merge({ size = var.storage_size }, var.storage_class == null ? {} : { className = var.storage_class })
      objectStore = merge(
        {
          bucket   = aws_s3_bucket.tier.bucket
          endpoint = local.s3_endpoint
          region   = local.s3_region
          prefix   = local.prefix
        },
        # Absent: the brokers use the AWS SDK's default chain, which is IRSA's web identity.
        local.irsa ? {} : { credentialsSecret = local.credentials_secret_name },
      )
      resources = var.resources
      config    = var.broker_config
    },
    var.rack_topology_key == null ? {} : { racks = { topologyKey = var.rack_topology_key } },
    # The operator defaults the image to sluice/sluice:<version>; it is spelled out only when the
    # images come from another registry.
    var.image_registry == "" ? {} : { image = local.broker_image },
  )
}

resource "kubernetes_manifest" "cluster" {
  count = var.create_cluster ? 1 : 0

  manifest = {
    apiVersion = "sluice.io/v1alpha1"
    kind       = "SluiceCluster"
    metadata = {
      name      = var.cluster_name
      namespace = local.namespace
      labels    = local.labels
    }
    spec = local.cluster_spec
  }

  # The brokers must find their identity, credentials and IAM grant in place when they first
  # start: a broker whose start-up check fails is restarted, but in a crash-loop back-off.
  depends_on = [
    kubernetes_manifest.operator_crd,
    kubernetes_manifest.operator_deployment,
    kubernetes_default_service_account_v1.broker,
    kubernetes_service_account_v1.broker,
    kubernetes_secret_v1.credentials,
    aws_iam_role_policy_attachment.broker,
    aws_s3_bucket_policy.tier,
  ]

  lifecycle {
    precondition {
      condition     = !var.install_operator || length(module.operator_manifests.crds) > 0
      error_message = "No CustomResourceDefinition found through ${local.operator_dir}/kustomization.yaml: set operator_manifests_dir, or install_operator = false if the operator is installed already."
    }
  }
}
