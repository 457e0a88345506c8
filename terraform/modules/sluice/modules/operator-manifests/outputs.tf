output "files" {
  description = "The manifest files read, relative to manifests_dir."
  value       = local.files
}

output "crds" {
  description = "CustomResourceDefinitions by kind/name: applied first."
  value       = local.crds
}

output "others" {
  description = "ServiceAccounts, Roles, ClusterRoles and other objects by kind/name, namespaced ones in the namespace."
  value       = local.others
}

output "bindings" {
  description = "RoleBindings and ClusterRoleBindings by kind/name, ServiceAccount subjects in the namespace."
  value       = local.bindings
}

output "deployments" {
  description = "Deployments by kind/name, in the namespace, the operator container on operator_image."
  value       = local.deployments
}
