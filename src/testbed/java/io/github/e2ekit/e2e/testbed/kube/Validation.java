package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a real API server refuses with 422 Invalid and {@code details.causes}: object names, label keys and
 * values, annotation keys, a Job's restart policy (on create and update), and immutable fields (on update).
 */
final class Validation {

    // apimachinery pkg/util/validation/validation.go: dns1123LabelFmt, dns1123SubdomainFmt, qualifiedNameFmt,
    // labelValueFmt, DNS1123LabelMaxLength 63, DNS1123SubdomainMaxLength 253, qualifiedNameMaxLength 63
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    /** Kinds whose names are DNS-1123 labels (≤ 63) rather than subdomains (≤ 253). */
    private static final Set<String> LABEL_NAMED = Set.of("Namespace");
    /** kubernetes pkg/apis/core/validation/validation.go ValidateServiceName: DNS-1035 label. */
    private static final Set<String> DNS1035_NAMED = Set.of("Service");

    /** One entry of {@code details.causes}. */
    record Cause(String reason, String field, String message) {}

    private Validation() {}

    /** Everything wrong with an object about to be created or written (not immutability). */
    static List<Cause> validate(ResourceType type, JsonNode obj) {
        List<Cause> causes = new ArrayList<>();
        String name = Json.text(obj, "metadata", "name");
        if (name != null && !name.isEmpty()) {
            name(type.kind(), name, causes);
        }
        labels(obj.path("metadata").path("labels"), "metadata.labels", causes);
        annotations(obj.path("metadata").path("annotations"), "metadata.annotations", causes);
        JsonNode template = switch (type.kind()) {
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job" ->
                obj.path("spec").path("template");
            default -> null;
        };
        if (template != null) {
            labels(template.path("metadata").path("labels"), "spec.template.metadata.labels", causes);
            annotations(template.path("metadata").path("annotations"), "spec.template.metadata.annotations", causes);
        }
        if (type.kind().equals("Job")) {
            // kubernetes pkg/apis/batch/validation/validation.go validateJobSpec: the template's restartPolicy
            // must be OnFailure or Never (an absent one was defaulted to Always by SetDefaults_PodSpec first)
            String rp = obj.path("spec")
                    .path("template")
                    .path("spec")
                    .path("restartPolicy")
                    .asText("Always");
            if (!rp.equals("OnFailure") && !rp.equals("Never")) {
                causes.add(new Cause(
                        "FieldValueNotSupported",
                        "spec.template.spec.restartPolicy",
                        "Unsupported value: \"" + rp + "\": supported values: \"OnFailure\", \"Never\""));
            }
        }
        return causes;
    }

    /**
     * Fields a write may not change. kubernetes pkg/apis/batch/validation/validation.go ValidateJobSpecUpdate
     * (selector, template), pkg/apis/apps/validation/validation.go ValidateDeploymentUpdate (selector),
     * pkg/apis/core/validation/validation.go ValidateServiceUpdate (clusterIP) and
     * ValidatePersistentVolumeClaimUpdate (spec except resources.requests and volumeAttributesClassName).
     */
    static List<Cause> immutable(ResourceType type, JsonNode stored, JsonNode updated) {
        List<Cause> causes = new ArrayList<>();
        JsonNode oldSpec = stored.path("spec");
        JsonNode newSpec = updated.path("spec");
        switch (type.kind()) {
            case "Job" -> {
                unchanged(oldSpec, newSpec, "selector", "spec.selector", causes);
                unchanged(oldSpec, newSpec, "template", "spec.template", causes);
            }
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet" ->
                unchanged(oldSpec, newSpec, "selector", "spec.selector", causes);
            case "Service" -> {
                String was = Json.text(oldSpec, "clusterIP");
                String now = Json.text(newSpec, "clusterIP");
                if (was != null && now != null && !now.isEmpty() && !was.equals(now)) {
                    causes.add(new Cause(
                            "FieldValueInvalid",
                            "spec.clusterIPs[0]",
                            "Invalid value: []string{\"" + now + "\"}: may not change once set"));
                }
            }
            case "PersistentVolumeClaim" -> {
                ObjectNode a = oldSpec.isObject() ? ((ObjectNode) oldSpec).deepCopy() : Json.obj();
                ObjectNode b = newSpec.isObject() ? ((ObjectNode) newSpec).deepCopy() : Json.obj();
                for (ObjectNode s : List.of(a, b)) {
                    if (s.get("resources") instanceof ObjectNode r) {
                        r.remove("requests");
                    }
                    s.remove("volumeAttributesClassName");
                    s.remove("volumeName"); // bound by the controller
                }
                if (!a.equals(b)) {
                    causes.add(new Cause(
                            "FieldValueForbidden",
                            "spec",
                            "Forbidden: spec is immutable after creation except "
                                    + "resources.requests and volumeAttributesClassName for bound claims"));
                }
            }
            default -> {}
        }
        return causes;
    }

    private static void unchanged(JsonNode oldSpec, JsonNode newSpec, String field, String path, List<Cause> causes) {
        JsonNode a = oldSpec.get(field);
        JsonNode b = newSpec.get(field);
        if (a != null && !a.equals(b)) {
            causes.add(new Cause(
                    "FieldValueInvalid",
                    path,
                    "Invalid value: " + (b == null ? "null" : Json.write(b)) + ": field is immutable"));
        }
    }

    /**
     * kubernetes pkg/apis/core/validation: ValidateNamespaceName (DNS-1123 label), ValidateServiceName (DNS-1035
     * label); most other kinds NameIsDNSSubdomain (apimachinery pkg/api/validation/generic.go).
     */
    static void name(String kind, String name, List<Cause> causes) {
        if (DNS1035_NAMED.contains(kind)) {
            if (name.length() > 63 || !DNS1035_LABEL.matcher(name).matches()) {
                causes.add(new Cause(
                        "FieldValueInvalid",
                        "metadata.name",
                        "Invalid value: \"" + name + "\": a DNS-1035 "
                                + "label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, "
                                + "and end with an alphanumeric character"
                                + (name.length() > 63 ? " (must be no more than 63 characters)" : "")));
            }
        } else if (LABEL_NAMED.contains(kind)) {
            if (name.length() > 63 || !DNS1123_LABEL.matcher(name).matches()) {
                causes.add(new Cause(
                        "FieldValueInvalid",
                        "metadata.name",
                        "Invalid value: \"" + name + "\": a lowercase "
                                + "RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
                                + "with an alphanumeric character"
                                + (name.length() > 63 ? " (must be no more than 63 characters)" : "")));
            }
        } else if (name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches()) {
            causes.add(new Cause(
                    "FieldValueInvalid",
                    "metadata.name",
                    "Invalid value: \"" + name + "\": a lowercase "
                            + "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
                            + "end with an alphanumeric character"));
        }
    }

    /** apimachinery pkg/apis/meta/v1/validation/validation.go ValidateLabels: qualified keys, label values. */
    static void labels(JsonNode labels, String field, List<Cause> causes) {
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            qualifiedName(e.getKey(), field, causes);
            String v = e.getValue().asText();
            if (v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
                causes.add(new Cause(
                        "FieldValueInvalid",
                        field,
                        "Invalid value: \"" + v + "\": a valid label must be an "
                                + "empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                + "alphanumeric character"
                                + (v.length() > 63 ? " (must be no more than 63 characters)" : "")));
            }
        }
    }

    /** apimachinery pkg/api/validation/objectmeta.go ValidateAnnotations: lower-cased keys are qualified names. */
    static void annotations(JsonNode annotations, String field, List<Cause> causes) {
        for (Iterator<String> it = annotations.fieldNames(); it.hasNext(); ) {
            qualifiedName(it.next().toLowerCase(java.util.Locale.ROOT), field, causes);
        }
    }

    /** apimachinery pkg/util/validation/validation.go IsQualifiedName: [prefix/]name, prefix a DNS-1123 subdomain. */
    static void qualifiedName(String key, String field, List<Cause> causes) {
        String[] parts = key.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()
                    || prefix.length() > 253
                    || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                causes.add(new Cause(
                        "FieldValueInvalid",
                        field,
                        "Invalid value: \"" + key + "\": prefix part a lowercase "
                                + "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
                                + "and end with an alphanumeric character"));
            }
        } else {
            causes.add(new Cause(
                    "FieldValueInvalid",
                    field,
                    "Invalid value: \"" + key + "\": a qualified name must "
                            + "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                            + "character with an optional DNS subdomain prefix and '/'"));
            return;
        }
        if (name.isEmpty()
                || name.length() > 63
                || !QUALIFIED_NAME.matcher(name).matches()) {
            causes.add(new Cause(
                    "FieldValueInvalid",
                    field,
                    "Invalid value: \"" + key + "\": name part must consist of "
                            + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
                            + (name.length() > 63 ? " (must be no more than 63 characters)" : "")));
        }
    }

    /** The 422 answer: {@code <Kind>.<group> "<name>" is invalid: <field>: <message>, …} with causes. */
    static MockResponse invalid(ResourceType type, String name, List<Cause> causes) {
        StringBuilder msg = new StringBuilder(
                type.kind() + (type.group().isEmpty() ? "" : "." + type.group()) + " \"" + name + "\" is invalid: ");
        for (int i = 0; i < causes.size(); i++) {
            msg.append(i == 0 ? "" : ", ")
                    .append(causes.get(i).field())
                    .append(": ")
                    .append(causes.get(i).message());
        }
        ObjectNode st = FakeApiDispatcher.statusBody(422, "Invalid", msg.toString(), type, name);
        Json.with(st, "details").put("kind", type.kind());
        ArrayNode arr = Json.with(st, "details").putArray("causes");
        for (Cause c : causes) {
            arr.addObject()
                    .put("reason", c.reason())
                    .put("message", c.message())
                    .put("field", c.field());
        }
        return new MockResponse()
                .setResponseCode(422)
                .setHeader("Content-Type", "application/json")
                .setBody(Json.write(st));
    }
}
