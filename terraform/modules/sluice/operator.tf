# The operator, applied from the same manifests as `kubectl apply -k k8s/operator`, with only the
# hashicorp/kubernetes provider: modules/operator-manifests reads what the kustomization lists and
# sets this installation's namespace and image; each object is applied by kubernetes_manifest
# (server-side apply), CRDs first and the Deployment last.
locals {
  operator_dir = coalesce(var.operator_manifests_dir, "${path.module}/../../../k8s/operator")
}

module "operator_manifests" {
  source = "./modules/operator-manifests"

  enabled        = var.install_operator
  manifests_dir  = local.operator_dir
  namespace      = local.operator_namespace
  operator_image = local.operator_image
}

resource "kubernetes_manifest" "operator_crd" {
  for_each = module.operator_manifests.crds
  manifest = each.value
}

# ServiceAccount, Roles, ClusterRoles and anything else the kustomization lists.
resource "kubernetes_manifest" "operator_object" {
  for_each = module.operator_manifests.others
  manifest = each.value
}

resource "kubernetes_manifest" "operator_binding" {
  for_each   = module.operator_manifests.bindings
  manifest   = each.value
  depends_on = [kubernetes_manifest.operator_object]
}

resource "kubernetes_manifest" "operator_deployment" {
  for_each   = module.operator_manifests.deployments
  manifest   = each.value
  depends_on = [kubernetes_manifest.operator_crd, kubernetes_manifest.operator_object, kubernetes_manifest.operator_binding]
}
