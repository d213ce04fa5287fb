package org.computeledger.devtools;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.computeledger.devtools.SampleCluster.Job;
import org.computeledger.devtools.SampleCluster.Load;
import org.computeledger.devtools.SampleCluster.Node;

/**
 * The Kubernetes cluster the lab rents on AWS from April (EKS, p5.48xlarge nodes of 8x H100): its pods
 * as {@code kubectl get pods -A -o json} lists them at the end of May, its CUR 2.0 bill (hourly, by
 * instance id, gzip CSV as Data Exports writes it) and the {@code resources.csv} that ties instance ids to
 * node names. One node's instance fails on 2026-05-13 at 14:00 and a new instance joins as another node:
 * the pod that ran there fails and is rerun on the new node.
 */
final class SampleEks {
  static final String CLUSTER = "lumen-eks";
  private static final String SUFFIX = ".us-east-2.compute.internal";
  static final String A = "ip-10-42-3-18" + SUFFIX;
  static final String B = "ip-10-42-5-77" + SUFFIX;
  static final String C = "ip-10-42-7-31" + SUFFIX;
  static final String D = "ip-10-42-9-12" + SUFFIX;
  static final String E = "ip-10-42-11-40" + SUFFIX;
  static final List<String> NODES = List.of(A, B, C, D, E);

  /** The failure: C's instance stops answering at 14:00; E's instance is launched in its place. */
  static final long FAILED_AT = SampleCluster.epoch("2026-05-13T14:00:00");

  /** One EC2 instance behind a node, billed for {@code [from, to)} (whole hours). */
  record Instance(String id, String node, long from, long to) {}

  static final List<Instance> INSTANCES = List.of(
      new Instance("i-0a3f1c9e27b4d5018", A, t("2026-04-13T10:00:00"), SampleCluster.LOG_END),
      new Instance("i-0b81d4e6f03a2c947", B, t("2026-04-14T08:00:00"), SampleCluster.LOG_END),
      new Instance("i-0c5e9a7b1d2f48036", C, t("2026-04-14T08:00:00"), FAILED_AT),
      new Instance("i-0d27f8c3e96b1a405", D, t("2026-05-06T06:00:00"), SampleCluster.LOG_END),
      new Instance("i-0e64b2a9c8d7f3152", E, FAILED_AT, SampleCluster.LOG_END));

  /** On-demand p5.48xlarge in us-east-2, USD per hour (as in the FOCUS bill of the Slurm nodes). */
  static final BigDecimal HOURLY = new BigDecimal("98.32");
  private static final String PAYER = "730281946512";
  private static final String ACCOUNT = "902847561230";
  private static final String SKU = "8K4Q3BFZ3D4X6NNK";

  private SampleEks() {}

  static boolean up(String node, long t) {
    for (Instance i : INSTANCES) {
      if (i.node().equals(node) && t >= i.from() && t < i.to()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The pods: the teacher's logit generation for atlas's distillation on A (2026-04-13 to 04-30), then
   * the distillation itself, a Kubernetes Job every three days per node, on B and C from 04-14, on A
   * from 05-01 and D from 05-06; C's pod fails with its node and is rerun on E.
   */
  static void addPods(SampleCluster c) {
    SplittableRandom r = new SplittableRandom(0xE45L);
    List<Job> pods = new ArrayList<>();
    segments(pods, r, c.node(A), "teacher-70b", "t70b-logits", "logit-generation", Load.EVAL,
        t("2026-04-13T10:20:00"), t("2026-04-30T20:00:00"), 2);
    segments(pods, r, c.node(B), "atlas", "atlas-distill", "distill", Load.PRETRAIN,
        t("2026-04-14T08:30:00"), SampleCluster.LOG_END, 3);
    segments(pods, r, c.node(C), "atlas", "atlas-distill", "distill", Load.PRETRAIN,
        t("2026-04-14T08:30:00"), FAILED_AT, 3);
    segments(pods, r, c.node(A), "atlas", "atlas-distill", "distill", Load.PRETRAIN,
        t("2026-05-01T06:00:00"), SampleCluster.LOG_END, 3);
    segments(pods, r, c.node(D), "atlas", "atlas-distill", "distill", Load.PRETRAIN,
        t("2026-05-06T06:30:00"), SampleCluster.LOG_END, 3);
    segments(pods, r, c.node(E), "atlas", "atlas-distill", "distill", Load.PRETRAIN,
        FAILED_AT + 1800, SampleCluster.LOG_END, 3);
    pods.sort(java.util.Comparator.comparingLong((Job j) -> j.submit).thenComparing(j -> j.jobId));
    c.jobs.addAll(pods);
  }

  /** Pods of {@code days} days each, ten minutes apart, until {@code stop}; the last is cut there. */
  private static void segments(List<Job> out, SplittableRandom r, Node node, String namespace, String job,
      String branch, Load load, long from, long stop, int days) {
    int index = 0;
    for (long start = from; start < stop; index++) {
      long end = start + days * 86_400L;
      String name = job + "-" + String.format(Locale.ROOT, "%03d", index) + "-" + suffix(r);
      Job pod = new Job(name, name, namespace, "", job, load).pod(branch).on(node);
      if (end < stop) {
        pod.ran(start - 20, start, end, "Succeeded");
      } else if (stop == SampleCluster.LOG_END) {
        pod.running(start - 20, start);
      } else {
        pod.ran(start - 20, start, stop - 20, "Failed");
      }
      out.add(pod);
      start = end + 600;
    }
  }

  private static String suffix(SplittableRandom r) {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  // ---- kubectl get pods -A -o json -------------------------------------------------------------

  static void writePods(SampleCluster c, Path file) throws IOException {
    List<Object> items = new ArrayList<>();
    for (Job j : c.jobs) {
      if (j.pod) {
        items.add(pod(j));
      }
    }
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("apiVersion", "v1");
    list.put("items", items);
    list.put("kind", "List");
    list.put("metadata", Map.of("resourceVersion", ""));
    SampleTelemetry.writePlain(file, w -> {
      json(w, list, "");
      w.append('\n');
    });
  }

  private static Map<String, Object> pod(Job j) {
    String jobName = j.jobId.substring(0, j.jobId.lastIndexOf('-'));
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put("batch.kubernetes.io/job-name", jobName);
    labels.put("branch", j.branchLabel);
    labels.put("project", j.account);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("creationTimestamp", iso(j.submit));
    meta.put("generateName", jobName + "-");
    meta.put("labels", labels);
    meta.put("name", j.jobId);
    meta.put("namespace", j.account);
    meta.put("ownerReferences", List.of(Map.of("apiVersion", "batch/v1", "kind", "Job", "name", jobName)));
    Map<String, Object> quantities = new LinkedHashMap<>();
    quantities.put("cpu", "180");
    quantities.put("memory", "1800Gi");
    quantities.put("nvidia.com/gpu", "8");
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("image", "registry.lumen.example/" + j.account + "/trainer:2026.04.1");
    container.put("name", "trainer");
    container.put("resources", Map.of("limits", quantities, "requests", quantities));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("containers", List.of(container));
    spec.put("nodeName", j.allocs.get(0).node().name());
    spec.put("nodeSelector", Map.of("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3"));
    spec.put("restartPolicy", "Never");
    Map<String, Object> state = new LinkedHashMap<>();
    if (j.end == SampleCluster.UNKNOWN) {
      state.put("running", Map.of("startedAt", iso(j.start + 35)));
    } else {
      Map<String, Object> terminated = new LinkedHashMap<>();
      boolean failed = j.state.equals("Failed");
      terminated.put("exitCode", failed ? 137 : 0);
      terminated.put("finishedAt", iso(j.end));
      terminated.put("reason", failed ? "Error" : "Completed");
      terminated.put("startedAt", iso(j.start + 35));
      state.put("terminated", terminated);
    }
    Map<String, Object> cs = new LinkedHashMap<>();
    cs.put("name", "trainer");
    cs.put("ready", j.end == SampleCluster.UNKNOWN);
    cs.put("restartCount", 0);
    cs.put("state", state);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("containerStatuses", List.of(cs));
    status.put("phase", j.state);
    status.put("startTime", iso(j.start));
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    pod.put("metadata", meta);
    pod.put("spec", spec);
    pod.put("status", status);
    return pod;
  }

  /** kubectl's JSON: four-space indent, keys as given (kubectl sorts them; the maps above are in order). */
  private static void json(Writer w, Object v, String indent) throws IOException {
    String in = indent + "    ";
    if (v instanceof Map<?, ?> m) {
      w.append("{\n");
      List<String> keys = new ArrayList<>();
      for (Object k : m.keySet()) {
        keys.add((String) k);
      }
      if (!(m instanceof LinkedHashMap)) {
        keys.sort(null);
      }
      for (int i = 0; i < keys.size(); i++) {
        w.append(in).append(quote(keys.get(i))).append(": ");
        json(w, m.get(keys.get(i)), in);
        w.append(i + 1 < keys.size() ? ",\n" : "\n");
      }
      w.append(indent).append('}');
    } else if (v instanceof List<?> l) {
      w.append("[\n");
      for (int i = 0; i < l.size(); i++) {
        w.append(in);
        json(w, l.get(i), in);
        w.append(i + 1 < l.size() ? ",\n" : "\n");
      }
      w.append(indent).append(']');
    } else if (v instanceof String s) {
      w.append(quote(s));
    } else {
      w.append(String.valueOf(v));
    }
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  // ---- CUR 2.0 and resources.csv ----------------------------------------------------------------

  static final String CUR_HEADER = "identity_line_item_id,identity_time_interval,bill_payer_account_id,"
      + "line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,"
      + "line_item_product_code,line_item_usage_type,line_item_operation,line_item_resource_id,"
      + "line_item_usage_amount,line_item_currency_code,line_item_unblended_rate,line_item_unblended_cost,"
      + "line_item_line_item_description,pricing_unit,pricing_public_on_demand_cost,product_sku,"
      + "savings_plan_savings_plan_effective_cost,savings_plan_total_commitment_to_date,"
      + "savings_plan_used_commitment,reservation_effective_cost,resource_tags";

  /** One CUR 2.0 export per billing period (April, May): hourly instance usage, the EKS fee and tax. */
  static void writeBills(Path billing) throws IOException {
    for (String month : List.of("2026-04", "2026-05")) {
      long from = t(month + "-01T00:00:00");
      long to = month.equals("2026-04") ? t("2026-05-01T00:00:00") : SampleCluster.LOG_END;
      SplittableRandom r = new SplittableRandom(from);
      SampleTelemetry.writeGzip(billing.resolve("BILLING_PERIOD=" + month + "/" + CLUSTER + "-00001.csv.gz"),
          w -> writeCur(w, r, from, to));
    }
  }

  private static void writeCur(Writer w, SplittableRandom r, long from, long to) throws IOException {
    w.append(CUR_HEADER).append('\n');
    BigDecimal usage = BigDecimal.ZERO;
    String tags = "\"{\"\"user_cluster\"\": \"\"" + CLUSTER + "\"\", \"\"user_team\"\": \"\"ml-platform\"\"}\"";
    for (long h = from; h < to; h += 3600) {
      for (Instance i : INSTANCES) {
        if (h >= i.from() && h < i.to()) {
          String cost = HOURLY.toPlainString();
          w.append(String.join(",", id(r), interval(h, h + 3600), PAYER, ACCOUNT, "Usage", iso(h), iso(h + 3600),
              "AmazonEC2", "USE2-BoxUsage:p5.48xlarge", "RunInstances", i.id(), "1.0", "USD", cost, cost,
              "$98.32 per On Demand Linux p5.48xlarge Instance Hour", "Hrs", cost, SKU, "", "", "", "", tags))
              .append('\n');
          usage = usage.add(HOURLY);
        }
      }
    }
    BigDecimal hours = BigDecimal.valueOf((to - from) / 3600);
    BigDecimal eks = new BigDecimal("0.10").multiply(hours);
    w.append(String.join(",", id(r), interval(from, to), PAYER, ACCOUNT, "Usage", iso(from), iso(to), "AmazonEKS",
        "USE2-AmazonEKS-Hours:perCluster", "CreateOperation",
        "arn:aws:eks:us-east-2:" + ACCOUNT + ":cluster/" + CLUSTER, hours.toPlainString() + ".0", "USD", "0.10",
        eks.toPlainString(), "Amazon EKS cluster usage", "Hours", eks.toPlainString(), "6DCTRDXGZR9VQVTG", "", "", "",
        "", "")).append('\n');
    BigDecimal tax = usage.add(eks).multiply(new BigDecimal("0.0575")).setScale(2, java.math.RoundingMode.HALF_UP);
    w.append(String.join(",", id(r), interval(from, to), PAYER, ACCOUNT, "Tax", iso(from), iso(to), "AmazonEC2",
        "", "", "", "1.0", "USD", "", tax.toPlainString(), "Tax for product code AmazonEC2", "", "", "", "", "", "",
        "", "")).append('\n');
  }

  /** resources.csv: each instance id's node, from launch to termination (open when still running). */
  static void writeResources(Path file) throws IOException {
    SampleTelemetry.writePlain(file, w -> {
      w.append("resource_id,host,valid_from,valid_to\n");
      for (Instance i : INSTANCES) {
        w.append(i.id()).append(',').append(i.node()).append(',').append(iso(i.from())).append(',')
            .append(i.to() == SampleCluster.LOG_END ? "" : iso(i.to())).append('\n');
      }
    });
  }

  private static String id(SplittableRandom r) {
    return String.format(Locale.ROOT, "%016x%016x", r.nextLong(), r.nextLong()).substring(0, 26);
  }

  private static String interval(long from, long to) {
    return iso(from) + "/" + iso(to);
  }

  static String iso(long epochSecond) {
    return Instant.ofEpochSecond(epochSecond).toString();
  }

  private static long t(String utc) {
    return SampleCluster.epoch(utc);
  }
}
