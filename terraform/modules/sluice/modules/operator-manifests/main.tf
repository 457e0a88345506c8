# The operator's manifests as `kubectl apply -k` would read them, ready for kubernetes_manifest:
# the files that kustomization.yaml lists, split into YAML documents, grouped by the order they
# must be applied in, with this installation's namespace and image set. Kustomize's own
# transformations (patches, images, namePrefix) are not run.
locals {
  # kustomization.yaml `resources:` entries: a file, or a directory whose YAML files are taken
  # (a directory's own kustomization.yaml is not an object).
  resources = var.enabled ? try(yamldecode(file("${var.manifests_dir}/kustomization.yaml")).resources, []) : []
  files = flatten([
    for entry in local.resources : (
      can(regex("\\.ya?ml$", entry))
      ? [entry]
      : [for name in sort(fileset("${var.manifests_dir}/${entry}", "*.{yml,yaml}")) : "${entry}/${name}" if !startswith(name, "kustomization.")]
    )
  ])

  # One file may hold several documents; a document of comments only is skipped.
  documents = flatten([
    for file_name in local.files : [
      for document in split("\n---", "\n${replace(file("${var.manifests_dir}/${file_name}"), "\r\n", "\n")}") :
      yamldecode(document) if trimspace(replace(document, "/(?m)^\\s*#.*$/", "")) != ""
    ]
  ])

  # The namespace is the calling module's, never the manifests'.
  objects = {
    for object in local.documents : "${object.kind}/${object.metadata.name}" => object
    if object.kind != "Namespace"
  }

  cluster_scoped_kinds = [
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PriorityClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
  ]
  binding_kinds = ["RoleBinding", "ClusterRoleBinding"]

  # Each conditional below picks between {} and a one-attribute object of strings, which
  # Terraform unifies as map(string): the object-typed alternatives would not unify.
  crds = { for key, object in local.objects : key => object if object.kind == "CustomResourceDefinition" }

  others = {
    for key, object in local.objects : key => merge(object, {
      metadata = merge(object.metadata, contains(local.cluster_scoped_kinds, object.kind) ? {} : { namespace = var.namespace })
    })
    if !contains(concat(["CustomResourceDefinition", "Deployment"], local.binding_kinds), object.kind)
  }

  # A binding's ServiceAccount subjects live where the operator's ServiceAccount is put; User and
  # Group subjects have no namespace.
  bindings = {
    for key, object in local.objects : key => merge(object, {
      metadata = merge(object.metadata, object.kind == "RoleBinding" ? { namespace = var.namespace } : {})
      subjects = [
        for subject in object.subjects :
        merge(subject, subject.kind == "ServiceAccount" ? { namespace = var.namespace } : {})
      ]
    })
    if contains(local.binding_kinds, object.kind)
  }

  # The operator's container gets this installation's image; sidecars keep theirs.
  deployments = {
    for key, object in local.objects : key => merge(object, {
      metadata = merge(object.metadata, { namespace = var.namespace })
      spec = merge(object.spec, {
        template = merge(object.spec.template, {
          spec = merge(object.spec.template.spec, {
            containers = [
              for container in object.spec.template.spec.containers :
              merge(container, can(regex("(^|/)sluice-operator(:|@|$)", container.image)) ? { image = var.operator_image } : {})
            ]
          })
        })
      })
    })
    if object.kind == "Deployment"
  }
}
