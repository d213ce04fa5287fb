package org.computeledger.ingest;

import static org.computeledger.ingest.AllocationColumns.*;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ingest of Kubernetes pod lists ({@code kubectl get pods -A -o json}) into the allocations table:
 * one row per pod, on the node it was bound to.
 *
 * <p>A pod list is one JSON document over many lines, so its records are pods, not lines: each pod is
 * accepted or quarantined at the line where its object opens, and every other line of the document is
 * ignored, so the line counts still add up for kubectl's pretty-printed output. (Pods of minified JSON
 * share one line; they are then all reported at it.) A syntax error ends the document: the pods before
 * it stand, and its line is quarantined.
 *
 * <p>Choices: job_id is {@code namespace/name}, account the namespace, user_hash null (pods name no
 * person); annotations are not copied into comment because they often hold whole manifests
 * ({@code last-applied-configuration}) and the registry matches pods by label. gpu_count is the pod's
 * effective GPU request as the scheduler sees it: the larger of the sum over app containers and the
 * largest init container (limits, else requests, of {@code nvidia.com/gpu} and {@code amd.com/gpu});
 * MIG slices ({@code nvidia.com/mig-*}) are not whole GPUs and are not counted. gpu_model comes from a
 * {@code nvidia.com/gpu.product} node selector when the pod has one.
 */
public final class KubectlPodsParser extends JsonAllocationParser {
  private static final long serialVersionUID = 1L;

  public static final String FORMAT = "k8s-pods";

  /**
   * Whole accelerators a container can request: GPUs, Cloud TPU chips, AWS Neuron devices (one Trainium or
   * Inferentia chip each; {@code aws.amazon.com/neuroncore} counts cores, not chips, and is not counted)
   * and Gaudi cards. Each is an accelerator-second for the allocation method.
   */
  private static final String[] GPU_RESOURCES = {"nvidia.com/gpu", "amd.com/gpu", "google.com/tpu",
    "aws.amazon.com/neuron", "aws.amazon.com/neurondevice", "habana.ai/gaudi"};
  private static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
  /**
   * Node selectors that name the accelerator when no GPU product does: the GKE TPU type
   * ("tpu-v5-lite-podslice") and the cloud instance type ("trn1.32xlarge"), which GpuModels maps explicitly.
   */
  private static final String[] MODEL_SELECTORS = {GPU_PRODUCT_LABEL, "cloud.google.com/gke-tpu-accelerator",
    "node.kubernetes.io/instance-type"};

  private static final Pattern KIND = Pattern.compile("\"kind\"\\s*:\\s*\"([^\"]*)\"");

  public KubectlPodsParser() {
    super(FORMAT, "items", "pods", PERSONAL_FIELDS, false);
  }

  /**
   * A JSON object whose head says it is a pod list. kubectl prints {@code "kind": "List"} after the
   * items, so a pretty-printed head usually shows only {@code apiVersion}, {@code items} and the first
   * item's {@code "kind": "Pod"}; a list of other objects (nodes, say) shows another kind there.
   */
  @Override
  boolean isDocument(String s) {
    boolean listKind = false;
    boolean podKind = false;
    Matcher m = KIND.matcher(s);
    while (m.find()) {
      String kind = m.group(1);
      listKind |= kind.equals("List") || kind.equals("PodList");
      podKind |= kind.equals("Pod");
    }
    return listKind || (podKind && s.contains("\"apiVersion\"") && s.contains("\"items\""));
  }

  @Override
  String notADocument(JsonToken root) {
    return root != JsonToken.START_OBJECT
        ? "expected a pod list object (kubectl get pods -o json), found " + root
        : "expected a pod list: an object with an items array (kubectl get pods -o json)";
  }

  /** One element of the items array: a pod's row, or its quarantine entry. */
  @Override
  void record(JsonParser p, JsonToken t, long line, Records r) throws IOException {
    JsonNode node = MAPPER.readTree(p);
    r.report(line);
    pod(line, node, r.params, r.sink);
  }

  /** One pod: one row, or one quarantine entry naming the pod and the field. */
  static void pod(long line, JsonNode pod, IngestParams params, RowSink sink) {
    if (pod == null || !pod.isObject()) {
      sink.quarantine(line, "items: expected a Pod object", String.valueOf(pod));
      return;
    }
    try {
      JsonNode meta = pod.path("metadata");
      JsonNode spec = pod.path("spec");
      JsonNode status = pod.path("status");
      String id = podId(pod, meta);
      Instant[] times = podTimes(id, meta, status, params);
      long gpus = podGpus(id, spec);
      String node = text(spec, "nodeName");
      Object[] row = sink.newRow();
      row[I_CLUSTER] = params.cluster();
      row[I_JOB_ID] = id;
      row[I_ARRAY_JOB_ID] = id;
      row[I_ACCOUNT] = text(meta, "namespace");
      row[I_JOB_NAME] = text(meta, "name");
      row[I_STATE] = text(status, "phase");
      row[I_SUBMIT] = timestamp(times[0]);
      row[I_START] = timestamp(times[1]);
      row[I_END] = timestamp(times[2]);
      row[I_ELAPSED] = times[1] != null && times[2] != null
          ? times[2].getEpochSecond() - times[1].getEpochSecond() : null;
      row[I_NODE] = node;
      row[I_NODE_COUNT] = node == null ? null : 1;
      row[I_GPU_COUNT] = (int) gpus;
      row[I_GPU_MODEL] = model(spec.path("nodeSelector"));
      row[I_LABELS] = labels(meta);
      sink.emit(line, row);
      sink.recordAccepted();
    } catch (Rejected e) {
      sink.quarantine(line, e.getMessage(), pod.toString());
    }
  }

  private static Timestamp timestamp(Instant t) {
    return t == null ? null : Timestamp.from(t);
  }

  /** {@code namespace/name} of a readable Pod object, or why it is not one. */
  private static String podId(JsonNode pod, JsonNode meta) throws Rejected {
    String kind = text(pod, "kind");
    if (kind != null && !kind.equals("Pod")) {
      throw new Rejected("field kind: expected Pod, '" + kind + "'");
    }
    String damage = Plausibility.textDamage(pod.toString());
    if (damage != null) {
      throw new Rejected("pod: " + damage);
    }
    String name = text(meta, "name");
    String namespace = text(meta, "namespace");
    String tooLong = tooLong(pod);
    if (tooLong != null) {
      throw new Rejected("pod " + (name == null || name.length() > 253 ? "(name of " + (name == null ? 0 : name.length())
          + " characters)" : namespace + "/" + name) + ": " + tooLong);
    }
    if (name == null || namespace == null) {
      throw new Rejected("pod " + (name == null ? "(unnamed)" : name) + ": field metadata."
          + (name == null ? "name" : "namespace") + ": expected a non-empty string");
    }
    return namespace + "/" + name;
  }

  /** Created, started and ended (each may be null), plausible and in order. */
  private static Instant[] podTimes(String id, JsonNode meta, JsonNode status, IngestParams params) throws Rejected {
    Instant created = time(meta, "creationTimestamp");
    Instant started = time(status, "startTime");
    if (created == BAD_TIME || started == BAD_TIME) {
      String field = created == BAD_TIME ? "metadata.creationTimestamp" : "status.startTime";
      String printed = created == BAD_TIME ? text(meta, "creationTimestamp") : text(status, "startTime");
      throw new Rejected("pod " + id + ": field " + field + ": expected an RFC 3339 time, '" + printed + "'");
    }
    Instant ended = ended(id, status);
    Instant[] times = {created, started, ended};
    String[] timeFields = {"metadata.creationTimestamp", "status.startTime",
        "status.containerStatuses[].state.terminated.finishedAt"};
    for (int k = 0; k < times.length; k++) {
      Instant t = times[k];
      String implausible = t == null ? null : Plausibility.implausibleTime(timeFields[k], t, t.toString(), params);
      if (implausible != null) {
        throw new Rejected("pod " + id + ": " + implausible);
      }
    }
    if (started != null && ended != null && ended.isBefore(started)) {
      throw new Rejected("pod " + id + ": negative duration: last container finishedAt '" + ended
          + "' is before status.startTime '" + started + "'");
    }
    return times;
  }

  /** The pod has ended only when every container has; until then it still holds its GPUs (null). */
  private static Instant ended(String id, JsonNode status) throws Rejected {
    Instant finished = null;
    JsonNode statuses = status.path("containerStatuses");
    boolean allTerminated = statuses.isArray() && statuses.size() > 0;
    for (JsonNode cs : statuses) {
      JsonNode terminated = cs.path("state").path("terminated");
      if (!terminated.isObject()) {
        allTerminated = false;
        continue;
      }
      Instant t = time(terminated, "finishedAt");
      if (t == BAD_TIME) {
        throw new Rejected("pod " + id + ": field status.containerStatuses[" + text(cs, "name")
            + "].state.terminated.finishedAt: expected an RFC 3339 time, '" + text(terminated, "finishedAt") + "'");
      }
      if (t != null && (finished == null || t.isAfter(finished))) {
        finished = t;
      }
    }
    return allTerminated ? finished : null;
  }

  /** GPUs the pod holds: its containers' together, or its largest init container's, whichever is more. */
  private static long podGpus(String id, JsonNode spec) throws Rejected {
    long appGpus = 0;
    long initGpus = 0;
    for (String list : new String[] {"containers", "initContainers"}) {
      for (JsonNode c : spec.path(list)) {
        long g = containerGpus(c);
        if (g < 0) {
          throw new Rejected("pod " + id + ": field spec." + list + "[" + text(c, "name")
              + "].resources: expected a whole number of GPUs");
        }
        if (list.equals("containers")) {
          appGpus += g;
        } else {
          initGpus = Math.max(initGpus, g);
        }
      }
    }
    long gpus = Math.max(appGpus, initGpus);
    if (gpus > Plausibility.MAX_GPUS_PER_NODE) {
      throw new Rejected("pod " + id + ": GPU request out of range: " + gpus + " GPUs on one node is more than "
          + Plausibility.MAX_GPUS_PER_NODE + ", the plausible limit");
    }
    return gpus;
  }

  private static Map<String, String> labels(JsonNode meta) {
    Map<String, String> labels = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = meta.path("labels").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      labels.put(e.getKey(), e.getValue().asText());
    }
    return labels;
  }

  /**
   * The first kept value longer than {@link Plausibility#MAX_FIELD_CHARS}, named, or null: what a
   * row would carry (name, namespace, node, phase, GPU product, each label key and value).
   */
  private static String tooLong(JsonNode pod) {
    JsonNode meta = pod.path("metadata");
    String[][] fields = {
      {"metadata.name", text(meta, "name")},
      {"metadata.namespace", text(meta, "namespace")},
      {"spec.nodeName", text(pod.path("spec"), "nodeName")},
      {"status.phase", text(pod.path("status"), "phase")},
      {"spec.nodeSelector." + GPU_PRODUCT_LABEL, text(pod.path("spec").path("nodeSelector"), GPU_PRODUCT_LABEL)},
    };
    for (String[] f : fields) {
      if (f[1] != null && f[1].length() > Plausibility.MAX_FIELD_CHARS) {
        return "field " + f[0] + ": " + f[1].length() + " characters, more than the limit of "
            + Plausibility.MAX_FIELD_CHARS;
      }
    }
    Iterator<Map.Entry<String, JsonNode>> it = meta.path("labels").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      int key = e.getKey().length();
      int value = e.getValue().asText().length();
      if (key > Plausibility.MAX_FIELD_CHARS || value > Plausibility.MAX_FIELD_CHARS) {
        String label = key > 253 ? "(a key of " + key + " characters)" : e.getKey();
        return "field metadata.labels." + label + ": " + Math.max(key, value)
            + " characters, more than the limit of " + Plausibility.MAX_FIELD_CHARS;
      }
    }
    return null;
  }

  /** The first accelerator-naming node selector the pod has, or null. */
  private static String model(JsonNode nodeSelector) {
    for (String key : MODEL_SELECTORS) {
      String v = text(nodeSelector, key);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** GPUs of one container: limits (which extended resources must set), else requests; -1 if malformed. */
  private static long containerGpus(JsonNode container) {
    JsonNode resources = container.path("resources");
    long total = 0;
    for (String resource : GPU_RESOURCES) {
      JsonNode q = resources.path("limits").path(resource);
      if (q.isMissingNode() || q.isNull()) {
        q = resources.path("requests").path(resource);
      }
      if (q.isMissingNode() || q.isNull()) {
        continue;
      }
      long v = TextScan.parseWhole(q.asText());
      if (v < 0) {
        return -1;
      }
      total += v;
    }
    return total;
  }

  /** Marks a time that is present but unreadable, as opposed to absent (null). */
  private static final Instant BAD_TIME = Instant.MIN;

  private static Instant time(JsonNode parent, String field) {
    String s = text(parent, field);
    if (s == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return BAD_TIME;
    }
  }

  /**
   * Pod fields that can name or identify a person (a creator annotation, a uid, an environment): a
   * quarantined pod's JSON keeps its structure but not these, at any depth; the allocations table never
   * copies them (PRODUCT.md §8).
   */
  static final java.util.Set<String> PERSONAL_FIELDS =
      java.util.Set.of("annotations", "managedFields", "securityContext", "env", "envFrom");
}
