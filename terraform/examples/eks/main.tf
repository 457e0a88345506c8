# A Sluice cluster on an existing EKS cluster: the tier's bucket, an IAM role for the brokers'
# ServiceAccount (IRSA), the operator and a SluiceCluster of three brokers.
provider "aws" {
  region = var.region
}

data "aws_eks_cluster" "this" {
  name = var.eks_cluster_name
}

data "aws_eks_cluster_auth" "this" {
  name = var.eks_cluster_name
}

# The IAM OIDC provider that IRSA needs; eksctl, the EKS module or the console creates it with
# the cluster (`eksctl utils associate-iam-oidc-provider`).
data "aws_iam_openid_connect_provider" "eks" {
  url = data.aws_eks_cluster.this.identity[0].oidc[0].issuer
}

# kubernetes_manifest needs the API server while planning, so the EKS cluster must exist before
# this configuration is planned (it is read here, not created).
provider "kubernetes" {
  host                   = data.aws_eks_cluster.this.endpoint
  cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)
  token                  = data.aws_eks_cluster_auth.this.token
}

module "sluice" {
  source = "../../modules/sluice"

  cluster_name   = var.cluster_name
  namespace      = var.namespace
  sluice_version = var.sluice_version
  image_registry = var.image_registry
  replicas       = var.replicas
  storage_size   = var.storage_size
  storage_class  = var.storage_class

  bucket_name = var.bucket_name
  kms_key_arn = var.kms_key_arn

  credentials       = "irsa"
  oidc_provider_arn = data.aws_iam_openid_connect_provider.eks.arn

  create_cluster = var.create_cluster

  broker_config = {
    "sluice.tier.upload-concurrency" = "4"
  }

  tags = {
    "app.kubernetes.io/name" = "sluice"
    "sluice.io/cluster"      = var.cluster_name
  }
}
