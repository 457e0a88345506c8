package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * One Terraform module (the {@code .tf} files of one directory) as {@code terraform/test/parse.js}
 * renders it: what it declares (variables, locals, resources, data sources, module calls, outputs,
 * required providers) and every reference its expressions make. The checks answer lists of
 * findings, empty when the module is sound, so a test can show them all at once.
 */
final class TerraformModule {
    /** Reference roots Terraform itself provides: never declared in a module. */
    private static final Set<String> BUILT_IN_ROOTS = Set.of("each", "count", "self", "path", "terraform");
    /** Module-call arguments that are Terraform's, not the child module's variables. */
    private static final Set<String> META_ARGUMENTS = Set.of("source", "version", "providers", "depends_on", "count", "for_each");

    /** One reference ({@code var.bucket_name}) and where it stands ({@code bucket.tf: resource.aws_s3_bucket.tier.0.bucket}). */
    record Reference(String file, String at, String ref) {
        String root() {
            return ref.split("\\.")[0];
        }

        String part(int index) {
            String[] parts = ref.split("\\.");
            return index < parts.length ? parts[index] : "";
        }

        @Override
        public String toString() {
            return ref + " (" + file + ": " + at + ")";
        }
    }

    final String directory;
    final List<JsonNode> files = new ArrayList<>();
    final Map<String, JsonNode> variables = new TreeMap<>();
    final Map<String, JsonNode> locals = new TreeMap<>();
    final Map<String, Map<String, JsonNode>> resources = new TreeMap<>();
    final Map<String, Map<String, JsonNode>> dataSources = new TreeMap<>();
    final Map<String, JsonNode> moduleCalls = new TreeMap<>();
    final Map<String, JsonNode> outputs = new TreeMap<>();
    final Map<String, JsonNode> requiredProviders = new TreeMap<>();
    final Set<String> providerBlocks = new TreeSet<>();
    final List<String> requiredVersions = new ArrayList<>();
    final Set<String> dynamicIterators = new TreeSet<>();
    final List<Reference> references = new ArrayList<>();

    private TerraformModule(String directory) {
        this.directory = directory;
    }

    /** The modules of a parse.js answer, by directory relative to the parsed root. */
    static Map<String, TerraformModule> byDirectory(JsonNode parsed) {
        Map<String, TerraformModule> modules = new TreeMap<>();
        for (JsonNode file : parsed.path("files")) {
            modules.computeIfAbsent(file.path("dir").asText(), TerraformModule::new).add(file);
        }
        return modules;
    }

    private void add(JsonNode file) {
        files.add(file);
        String name = file.path("path").asText();
        JsonNode hcl = file.path("hcl");
        blocks(hcl.path("variable"), variables::put);
        for (JsonNode block : hcl.path("locals")) {
            block.fields().forEachRemaining(e -> locals.put(e.getKey(), e.getValue()));
        }
        typedBlocks(hcl.path("resource"), resources);
        typedBlocks(hcl.path("data"), dataSources);
        blocks(hcl.path("module"), moduleCalls::put);
        blocks(hcl.path("output"), outputs::put);
        hcl.path("provider").fieldNames().forEachRemaining(providerBlocks::add);
        for (JsonNode terraform : hcl.path("terraform")) {
            if (terraform.has("required_version")) {
                requiredVersions.add(terraform.get("required_version").asText());
            }
            for (JsonNode required : terraform.path("required_providers")) {
                required.fields().forEachRemaining(e -> requiredProviders.put(e.getKey(), e.getValue()));
            }
        }
        collectDynamicIterators(hcl);
        for (JsonNode reference : file.path("references")) {
            references.add(new Reference(name, reference.path("at").asText(), reference.path("ref").asText()));
        }
    }

    /** {@code {"name": [ {...} ]}}: one block per name (Terraform refuses a second). */
    private static void blocks(JsonNode byName, BiConsumer<String, JsonNode> into) {
        byName.fields().forEachRemaining(e -> into.accept(e.getKey(), e.getValue().path(0)));
    }

    private static void typedBlocks(JsonNode byType, Map<String, Map<String, JsonNode>> into) {
        byType.fields().forEachRemaining(type -> blocks(type.getValue(),
                (name, block) -> into.computeIfAbsent(type.getKey(), t -> new TreeMap<>()).put(name, block)));
    }

    /** A {@code dynamic "statement"} block names its iterator {@code statement} (or {@code iterator = x}). */
    private void collectDynamicIterators(JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("dynamic") && field.getValue().isObject()) {
                    field.getValue().fields().forEachRemaining(label -> {
                        dynamicIterators.add(label.getKey());
                        for (JsonNode block : label.getValue()) {
                            if (block.has("iterator")) {
                                dynamicIterators.add(block.get("iterator").asText().replaceAll("^\\$\\{|}$", ""));
                            }
                        }
                    });
                }
                collectDynamicIterators(field.getValue());
            }
        } else if (node.isArray()) {
            node.forEach(this::collectDynamicIterators);
        }
    }

    /** References to a variable, local, resource, data source or module call this module does not declare. */
    List<Reference> unresolvedReferences() {
        List<Reference> unresolved = new ArrayList<>();
        for (Reference reference : references) {
            if (!resolves(reference)) {
                unresolved.add(reference);
            }
        }
        return unresolved;
    }

    private boolean resolves(Reference reference) {
        String root = reference.root();
        return switch (root) {
            case "var" -> variables.containsKey(reference.part(1));
            case "local" -> locals.containsKey(reference.part(1));
            case "module" -> moduleCalls.containsKey(reference.part(1));
            case "data" -> dataSources.getOrDefault(reference.part(1), Map.of()).containsKey(reference.part(2));
            default -> BUILT_IN_ROOTS.contains(root) || dynamicIterators.contains(root)
                    || resources.getOrDefault(root, Map.of()).containsKey(reference.part(1));
        };
    }

    /**
     * Calls of local modules ({@code source = "../x"}): every argument is a variable of the child,
     * every variable of the child without a default is given, and every {@code module.NAME.OUTPUT}
     * is an output of the child.
     */
    List<String> moduleCallMismatches(Map<String, TerraformModule> modules) {
        List<String> found = new ArrayList<>();
        moduleCalls.forEach((call, block) -> {
            String source = block.path("source").asText();
            if (!source.startsWith("./") && !source.startsWith("../")) {
                return;
            }
            String childDirectory = Path.of(directory).resolve(source).normalize().toString().replace('\\', '/');
            TerraformModule child = modules.get(childDirectory);
            if (child == null) {
                found.add("module." + call + ": no module at " + childDirectory);
                return;
            }
            block.fieldNames().forEachRemaining(argument -> {
                if (!META_ARGUMENTS.contains(argument) && !child.variables.containsKey(argument)) {
                    found.add("module." + call + " sets " + argument + ", which " + childDirectory + " does not declare");
                }
            });
            child.variables.forEach((name, variable) -> {
                if (!variable.has("default") && !block.has(name)) {
                    found.add("module." + call + " does not set " + name + ", which " + childDirectory + " requires");
                }
            });
            for (Reference reference : references) {
                if (reference.root().equals("module") && reference.part(1).equals(call)
                        && !child.outputs.containsKey(reference.part(2))) {
                    found.add(reference + ": " + childDirectory + " has no output " + reference.part(2));
                }
            }
        });
        return found;
    }

    /** Variables missing a type or a description. */
    List<String> undocumentedVariables() {
        List<String> found = new ArrayList<>();
        variables.forEach((name, variable) -> {
            if (!variable.hasNonNull("type")) {
                found.add(directory + ": variable " + name + " has no type");
            }
            if (variable.path("description").asText().isBlank()) {
                found.add(directory + ": variable " + name + " has no description");
            }
        });
        outputs.forEach((name, output) -> {
            if (output.path("description").asText().isBlank()) {
                found.add(directory + ": output " + name + " has no description");
            }
        });
        return found;
    }

    /** Validation conditions that read another variable (Terraform before 1.9 refuses them). */
    List<String> validationsReadingOtherVariables() {
        List<String> found = new ArrayList<>();
        for (Reference reference : references) {
            String[] at = reference.at().split("\\.");
            if (at.length > 2 && at[0].equals("variable") && reference.at().contains(".validation.")
                    && reference.root().equals("var") && !reference.part(1).equals(at[1])) {
                found.add(reference.toString());
            }
        }
        return found;
    }

    /**
     * Providers this module uses (a resource or data type's prefix, or a provider block) that
     * required_providers does not pin with a source and a pessimistic ({@code ~>}) version; and a
     * missing required_version.
     */
    List<String> unpinnedProviders() {
        Set<String> used = new TreeSet<>(providerBlocks);
        resources.keySet().forEach(type -> used.add(type.split("_")[0]));
        dataSources.keySet().forEach(type -> used.add(type.split("_")[0]));
        List<String> found = new ArrayList<>();
        for (String provider : used) {
            JsonNode pin = requiredProviders.get(provider);
            if (pin == null) {
                found.add(directory + ": provider " + provider + " is not in required_providers");
            } else if (!pin.path("source").asText().contains("/") || !pin.path("version").asText().startsWith("~>")) {
                found.add(directory + ": provider " + provider + " is pinned as " + pin + ", not with a source and ~> version");
            }
        }
        if (requiredVersions.isEmpty()) {
            found.add(directory + ": no required_version");
        }
        return found;
    }

    /** Every string in the module's files (values and keys), with the file it is in. */
    Map<String, String> strings() {
        Map<String, String> found = new LinkedHashMap<>();
        for (JsonNode file : files) {
            collectStrings(file.path("hcl"), file.path("path").asText(), found);
        }
        return found;
    }

    private static void collectStrings(JsonNode node, String file, Map<String, String> into) {
        if (node.isTextual()) {
            into.putIfAbsent(node.asText(), file);
        } else if (node.isContainerNode()) {
            node.fields().forEachRemaining(e -> {
                into.putIfAbsent(e.getKey(), file);
                collectStrings(e.getValue(), file, into);
            });
            if (node.isArray()) {
                node.forEach(child -> collectStrings(child, file, into));
            }
        }
    }
}
