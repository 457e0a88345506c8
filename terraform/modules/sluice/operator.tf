# The operator, applied from the same manifests as `kubectl apply -k k8s/operator`, with only the
# hashicorp/kubernetes provider: the files the kustomization lists are read, split into YAML
# documents and applied one object each with kubernetes_manifest (server-side apply). Kustomize's
# own transformations (patches, images, namePrefix) are not run; this module sets the two things
# that differ per installation itself: the namespace and the operator's image.
locals {
  operator_dir = coalesce(var.operator_manifests_dir, "${path.module}/../../../k8s/operator")

  # kustomization.yaml `resources:` entries: a file, or a directory whose YAML files are taken
  # (a directory's own kustomization.yaml is not an object).
  operator_resources = var.install_operator ? try(yamldecode(file("${local.operator_dir}/kustomization.yaml")).resources, []) : []
  operator_files = flatten([
    for entry in local.operator_resources : (
      can(regex("\\.ya?ml$", entry))
      ? [entry]
      : [for name in sort(fileset("${local.operator_dir}/${entry}", "*.{yml,yaml}")) : "${entry}/${name}" if !startswith(name, "kustomization.")]
    )
  ])

  # One file may hold several documents; a document of comments only decodes to null.
  operator_documents = flatten([
    for file_name in local.operator_files : [
      for document in split("\n---", "\n${replace(file("${local.operator_dir}/${file_name}"), "\r\n", "\n")}") :
      yamldecode(document) if trimspace(replace(document, "/(?m)^\\s*#.*$/", "")) != ""
    ]
  ])

  # The namespace is this module's (kubernetes_namespace_v1), never the manifests'.
  operator_objects = {
    for object in local.operator_documents : "${object.kind}/${object.metadata.name}" => object
    if object.kind != "Namespace"
  }

  cluster_scoped_kinds = [
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PriorityClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
  ]
  binding_kinds = ["RoleBinding", "ClusterRoleBinding"]

  # CustomResourceDefinitions first: nothing that uses them can be planned before they exist.
  operator_crds        = { for key, object in local.operator_objects : key => object if object.kind == "CustomResourceDefinition" }
  operator_deployments = { for key, object in local.operator_objects : key => object if object.kind == "Deployment" }
  operator_bindings    = { for key, object in local.operator_objects : key => object if contains(local.binding_kinds, object.kind) }
  operator_others = {
    for key, object in local.operator_objects : key => object
    if !contains(concat(["CustomResourceDefinition", "Deployment"], local.binding_kinds), object.kind)
  }
}

resource "kubernetes_manifest" "operator_crd" {
  for_each = local.operator_crds
  manifest = each.value
}

# ServiceAccount, Roles, ClusterRoles and anything else the kustomization lists.
resource "kubernetes_manifest" "operator_object" {
  for_each = local.operator_others
  manifest = merge(each.value, {
    metadata = merge(each.value.metadata, contains(local.cluster_scoped_kinds, each.value.kind) ? {} : { namespace = local.operator_namespace })
  })
}

# A binding's ServiceAccount subjects live where the operator's ServiceAccount is put.
resource "kubernetes_manifest" "operator_binding" {
  for_each = local.operator_bindings
  manifest = merge(each.value, {
    metadata = merge(each.value.metadata, each.value.kind == "RoleBinding" ? { namespace = local.operator_namespace } : {})
    subjects = [
      for subject in each.value.subjects :
      merge(subject, subject.kind == "ServiceAccount" ? { namespace = local.operator_namespace } : {})
    ]
  })
  depends_on = [kubernetes_manifest.operator_object]
}

# The operator's container gets the image of this installation (registry, operator_version).
resource "kubernetes_manifest" "operator_deployment" {
  for_each = local.operator_deployments
  manifest = merge(each.value, {
    metadata = merge(each.value.metadata, { namespace = local.operator_namespace })
    spec = merge(each.value.spec, {
      template = merge(each.value.spec.template, {
        spec = merge(each.value.spec.template.spec, {
          containers = [
            for container in each.value.spec.template.spec.containers :
            merge(container, can(regex("(^|/)sluice-operator(:|@|$)", container.image)) ? { image = local.operator_image } : {})
          ]
        })
      })
    })
  })
  depends_on = [kubernetes_manifest.operator_crd, kubernetes_manifest.operator_object, kubernetes_manifest.operator_binding]
}
