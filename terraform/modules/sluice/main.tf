# Names derived once, so the bucket, the IAM policy and the SluiceCluster cannot disagree.
locals {
  # The broker's own default: sluice.tier.s3.prefix unset means the cluster name.
  prefix = coalesce(var.bucket_prefix, var.cluster_name)

  # Image names as the Maven build produces them (group sluice, name sluice; the operator's build
  # names its image sluice-operator), under the registry they were pushed to.
  registry_prefix  = var.image_registry == "" ? "" : "${var.image_registry}/"
  broker_image     = "${local.registry_prefix}sluice/sluice:${var.sluice_version}"
  operator_version = coalesce(var.operator_version, var.sluice_version)
  operator_image   = "${local.registry_prefix}sluice/sluice-operator:${local.operator_version}"

  irsa = var.credentials == "irsa"

  # The issuer as IAM condition keys spell it: the provider ARN without "arn:...:oidc-provider/".
  oidc_issuer = var.oidc_provider_arn == null ? "" : replace(var.oidc_provider_arn, "/^arn:[^:]+:iam::[0-9]+:oidc-provider\\//", "")

  # Read through the namespace resource when this module creates it, so everything in the
  # namespace waits for it.
  namespace          = var.create_namespace ? one(kubernetes_namespace_v1.sluice[*].metadata[0].name) : var.namespace
  operator_namespace = coalesce(var.operator_namespace, local.namespace)

  # The broker needs an endpoint for AWS too: with none configured it starts its embedded store.
  # The regional one, which takes the broker's path-style requests. Region and partition come
  # from data sources, known while planning, so the SluiceCluster's plan shows them; the bucket
  # is created in the provider's region.
  s3_region   = data.aws_region.current.region
  s3_endpoint = coalesce(var.s3_endpoint, "https://s3.${local.s3_region}.${data.aws_partition.current.dns_suffix}")

  credentials_secret_name = "${var.cluster_name}-s3"
  client_service_dns      = "${var.cluster_name}.${var.namespace}.svc.cluster.local"

  labels = {
    "app.kubernetes.io/name"       = "sluice"
    "app.kubernetes.io/instance"   = var.cluster_name
    "app.kubernetes.io/managed-by" = "terraform"
  }
}

data "aws_partition" "current" {}

data "aws_region" "current" {}
