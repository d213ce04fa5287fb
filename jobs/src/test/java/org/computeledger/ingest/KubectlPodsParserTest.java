package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.computeledger.schema.Allocations;
import org.junit.jupiter.api.Test;

/**
 * Specification of Kubernetes pod-list ingest, read against a hand-written pod list in the shape
 * {@code kubectl get pods -A -o json} prints (fixtures/k8s/pods.json): a finished 4-GPU training pod,
 * a running 1-GPU pod and an unschedulable 8-GPU pod.
 */
class KubectlPodsParserTest {
  private static final KubectlPodsParser PARSER = new KubectlPodsParser();
  private static final IngestParams PARAMS = new IngestParams(ZoneId.of("UTC"), List.of(), "k8s-east", "k");

  private static final String TRAINING = "atlas/atlas-pretrain-0-q7m2d";
  private static final String EVAL = "evals/eval-harness-6d5f8b7c9d-x2k4p";
  private static final String PENDING = "atlas/atlas-sft-v2-launcher";

  @Test
  void eachPodIsOneRecordAtTheLineWhereItOpens() {
    CollectingSink sink = parse(fixture());

    assertEquals(List.of(), sink.rejected);
    assertEquals(3, sink.accepted);
    assertEquals(List.of(4L, 156L, 232L), sink.rowLines);
  }

  @Test
  void linesHoldingNoPodStartAreIgnoredSoCountsAddUp() {
    CollectingSink sink = parse(fixture());

    assertEquals(289, sink.accepted + sink.rejected.size() + sink.ignored);
  }

  @Test
  void jobIdIsNamespaceAndNameAndAccountIsNamespace() {
    CollectingSink sink = parse(fixture());

    assertEquals(TRAINING, sink.get(0, Allocations.JOB_ID));
    assertEquals("atlas-pretrain-0-q7m2d", sink.get(0, Allocations.JOB_NAME));
    assertEquals("atlas", sink.get(0, Allocations.ACCOUNT));
    assertEquals("k8s-east", sink.get(0, Allocations.CLUSTER));
    assertNull(sink.get(0, Allocations.USER_HASH));
    assertNull(sink.get(0, Allocations.PARTITION));
  }

  @Test
  void gpuCountIsTheSumOfContainerLimits() {
    CollectingSink sink = parse(fixture());

    assertEquals(4, sink.get(0, Allocations.GPU_COUNT), "trainer 4, log-shipper none");
    assertEquals(1, sink.get(1, Allocations.GPU_COUNT));
    assertEquals(8, sink.get(2, Allocations.GPU_COUNT));
  }

  @Test
  void gpuModelComesFromTheGpuProductNodeSelector() {
    CollectingSink sink = parse(fixture());

    assertEquals("NVIDIA-H100-80GB-HBM3", sink.get(0, Allocations.GPU_MODEL));
    assertNull(sink.get(1, Allocations.GPU_MODEL));
  }

  @Test
  void cloudTpuChipsAreCountedAndTheirTypeComesFromTheGkeTpuSelector() {
    String text = fixture().replace("\"nvidia.com/gpu\": \"4\"", "\"google.com/tpu\": \"4\"")
        .replace("\"nvidia.com/gpu.product\": \"NVIDIA-H100-80GB-HBM3\"",
            "\"cloud.google.com/gke-tpu-accelerator\": \"tpu-v5-lite-podslice\"");
    CollectingSink sink = parse(text);

    assertEquals(4, sink.get(0, Allocations.GPU_COUNT));
    assertEquals("tpu-v5-lite-podslice", sink.get(0, Allocations.GPU_MODEL));
    assertEquals("tpu-v5e", org.computeledger.estimate.GpuModels.normalize((String) sink.get(0, Allocations.GPU_MODEL)));
  }

  @Test
  void neuronDevicesAreCountedAndTheirChipComesFromTheInstanceType() {
    String text = fixture().replace("\"nvidia.com/gpu\": \"4\"", "\"aws.amazon.com/neuron\": \"4\"")
        .replace("\"nvidia.com/gpu.product\": \"NVIDIA-H100-80GB-HBM3\"",
            "\"node.kubernetes.io/instance-type\": \"trn2.48xlarge\"");
    CollectingSink sink = parse(text);

    assertEquals(4, sink.get(0, Allocations.GPU_COUNT));
    assertEquals("trainium2", org.computeledger.estimate.GpuModels.normalize((String) sink.get(0, Allocations.GPU_MODEL)));
  }

  @Test
  void gaudiCardsAreCountedAndWithoutANamedModelStayUnknown() {
    String text = fixture().replace("\"nvidia.com/gpu\": \"4\"", "\"habana.ai/gaudi\": \"4\"")
        .replace("\"nvidia.com/gpu.product\": \"NVIDIA-H100-80GB-HBM3\"", "\"team\": \"x\"");
    CollectingSink sink = parse(text);

    assertEquals(4, sink.get(0, Allocations.GPU_COUNT));
    assertNull(sink.get(0, Allocations.GPU_MODEL));
  }

  @Test
  void initContainerGpusCountOnlyWhenMoreThanTheAppContainersHold() {
    String text = fixture().replace("\"resources\": {},", "\"resources\": {\"limits\": {\"nvidia.com/gpu\": \"6\"}},");
    CollectingSink sink = parse(text);

    assertEquals(6, sink.get(0, Allocations.GPU_COUNT), "init 6 runs before the app containers' 4");
  }

  @Test
  void finishedPodEndsWhenItsLastContainerFinished() {
    CollectingSink sink = parse(fixture());

    assertEquals(ts("2026-03-02T09:59:58Z"), sink.get(0, Allocations.SUBMIT_TIME));
    assertEquals(ts("2026-03-02T10:00:03Z"), sink.get(0, Allocations.START_TIME));
    assertEquals(ts("2026-03-02T18:40:15Z"), sink.get(0, Allocations.END_TIME), "log-shipper, 3 s after trainer");
    assertEquals(8 * 3600L + 40 * 60 + 12, sink.get(0, Allocations.ELAPSED_S));
    assertEquals("Succeeded", sink.get(0, Allocations.STATE));
    assertEquals("gpu-node-07", sink.get(0, Allocations.NODE));
    assertEquals(1, sink.get(0, Allocations.NODE_COUNT));
  }

  @Test
  void runningPodHasNoEnd() {
    CollectingSink sink = parse(fixture());

    assertEquals("Running", sink.get(1, Allocations.STATE));
    assertEquals(ts("2026-03-03T08:15:21Z"), sink.get(1, Allocations.START_TIME));
    assertNull(sink.get(1, Allocations.END_TIME));
    assertNull(sink.get(1, Allocations.ELAPSED_S));
  }

  @Test
  void podWithOneContainerStillRunningHasNoEnd() {
    // the log shipper's state turned back to running: the pod is not over while it runs
    String text = fixture().replace(
        "\"terminated\": {\n                                \"containerID\": \"containerd://77d2a9e1c4b0\"",
        "\"running\": {\n                                \"containerID\": \"containerd://77d2a9e1c4b0\"");
    assertFalse(text.equals(fixture()));
    CollectingSink sink = parse(text);

    assertEquals(List.of(), sink.rejected);
    assertNull(sink.get(0, Allocations.END_TIME));
  }

  @Test
  void unscheduledPendingPodIsAcceptedWithoutNode() {
    CollectingSink sink = parse(fixture());

    assertEquals(PENDING, sink.get(2, Allocations.JOB_ID));
    assertEquals("Pending", sink.get(2, Allocations.STATE));
    assertNull(sink.get(2, Allocations.NODE));
    assertNull(sink.get(2, Allocations.NODE_COUNT));
    assertNull(sink.get(2, Allocations.START_TIME));
  }

  @Test
  void labelsAreKeptForBranchMatching() {
    CollectingSink sink = parse(fixture());

    @SuppressWarnings("unchecked")
    Map<String, String> labels = (Map<String, String>) sink.get(0, Allocations.LABELS);
    assertEquals("pretrain-main", labels.get("branch"));
    assertEquals("atlas", labels.get("project"));
    assertEquals(5, labels.size());
  }

  @Test
  void annotationsAreNotCopiedIntoComment() {
    CollectingSink sink = parse(fixture());

    assertNull(sink.get(0, Allocations.COMMENT));
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void podWithUnreadableTimeIsQuarantinedByName() {
    CollectingSink sink = parse(fixture().replace("\"startTime\": \"2026-03-03T08:15:21Z\"", "\"startTime\": \"yesterday\""));

    assertEquals(2, sink.accepted);
    assertEquals(1, sink.rejected.size());
    assertEquals(156, sink.rejected.get(0).line());
    assertEquals("pod " + EVAL + ": field status.startTime: expected an RFC 3339 time, 'yesterday'",
        sink.rejected.get(0).reason());
    assertTrue(sink.rejected.get(0).raw().contains("eval-harness-6d5f8b7c9d-x2k4p"));
  }

  @Test
  void podWithoutNameIsQuarantined() {
    CollectingSink sink = parse(fixture().replace("\"name\": \"atlas-sft-v2-launcher\",", ""));

    assertEquals(2, sink.accepted);
    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().contains("metadata.name"), sink.rejected.get(0).reason());
  }

  @Test
  void fractionalGpuRequestIsQuarantined() {
    CollectingSink sink = parse(fixture().replace("\"nvidia.com/gpu\": \"1\"", "\"nvidia.com/gpu\": \"0.5\""));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("pod " + EVAL + ": field spec.containers[harness]"),
        sink.rejected.get(0).reason());
  }

  @Test
  void podEndingBeforeItStartedIsNegativeDuration() {
    CollectingSink sink = parse(fixture().replace("\"startTime\": \"2026-03-02T10:00:03Z\"",
        "\"startTime\": \"2026-03-02T19:00:03Z\""));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("pod " + TRAINING + ": negative duration"),
        sink.rejected.get(0).reason());
  }

  @Test
  void brokenJsonKeepsEarlierPodsAndQuarantinesTheBrokenLine() {
    String[] lines = fixture().split("\n", -1);
    // line 226 is the running pod's phase; without its closing quote the string runs into the newline
    lines[225] = lines[225].replace("\"Running\"", "\"Running");
    String text = String.join("\n", lines);
    CollectingSink sink = parse(text);

    assertEquals(1, sink.accepted);
    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("not valid JSON at line"), sink.rejected.get(0).reason());
    assertEquals(226, sink.rejected.get(0).line());
    assertEquals("                \"phase\": \"Running,", sink.rejected.get(0).raw());
    assertEquals(289, sink.accepted + sink.rejected.size() + sink.ignored);
  }

  @Test
  void creationTimeBefore2000IsQuarantinedAsImplausible() {
    CollectingSink sink = parse(fixture().replace("\"creationTimestamp\": \"2026-03-02T09:59:58Z\"",
        "\"creationTimestamp\": \"1970-01-01T00:00:00Z\""));

    assertEquals(2, sink.accepted);
    assertEquals("pod " + TRAINING + ": field metadata.creationTimestamp: time '1970-01-01T00:00:00Z' is before"
        + " 2000-01-01T00:00:00Z, the earliest plausible", sink.rejected.get(0).reason());
  }

  @Test
  void startMoreThanADayAfterTheRunIsQuarantined() {
    IngestParams run = PARAMS.withRunInstant(java.time.Instant.parse("2026-03-02T08:00:00Z"));
    CollectingSink sink = CollectingSink.parseText(PARSER, "scheduler/pods.json", "scheduler", fixture(), run);

    assertEquals(1, sink.accepted, "the pod of 2026-03-02; both of 2026-03-03 are after 2026-03-03T08:00Z");
    assertEquals("pod " + EVAL + ": field metadata.creationTimestamp: time '2026-03-03T08:15:20Z' is more than"
        + " 1 day after the moment of the run", sink.rejected.get(0).reason());
  }

  @Test
  void moreThan64GpusForOnePodIsQuarantinedAsImplausible() {
    CollectingSink sink = parse(fixture().replace("\"nvidia.com/gpu\": \"8\"", "\"nvidia.com/gpu\": \"800\""));

    assertEquals(2, sink.accepted);
    assertEquals("pod " + PENDING + ": GPU request out of range: 800 GPUs on one node is more than 64, the"
        + " plausible limit", sink.rejected.get(0).reason());
  }

  @Test
  void negativeGpuRequestIsQuarantined() {
    CollectingSink sink = parse(fixture().replace("\"nvidia.com/gpu\": \"1\"", "\"nvidia.com/gpu\": \"-1\""));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("pod " + EVAL + ": field spec.containers[harness]"),
        sink.rejected.get(0).reason());
  }

  @Test
  void podNameOfOneMegabyteIsQuarantinedWithoutQuotingIt() {
    CollectingSink sink = parse(fixture().replace("\"name\": \"atlas-sft-v2-launcher\"",
        "\"name\": \"" + "n".repeat(1 << 20) + "\""));

    assertEquals(2, sink.accepted);
    assertEquals("pod (name of 1048576 characters): field metadata.name: 1048576 characters, more than the limit"
        + " of 4096", sink.rejected.get(0).reason());
  }

  @Test
  void labelWithBytesThatWereNotUtf8IsQuarantined() {
    // what the ingest reader makes of a Latin-1 byte inside a label value
    CollectingSink sink = parse(fixture().replace("\"branch\": \"pretrain-main\"", "\"branch\": \"pr\uFDD0\""));

    assertEquals(2, sink.accepted);
    assertTrue(sink.rejected.get(0).reason().startsWith("pod: not UTF-8: bytes that do not decode at column"),
        sink.rejected.get(0).reason());
  }

  @Test
  void singlePodInsteadOfAListIsQuarantined() {
    String pod = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"}\n}\n";
    CollectingSink sink = parse(pod);

    assertEquals(1, sink.rejected.size());
    assertEquals(1, sink.rejected.get(0).line());
    assertEquals(5, sink.rejected.size() + sink.ignored);
  }

  // ------------------------------------------------------------------ detection

  @Test
  void detectsKubectlPodList() {
    List<String> lines = Arrays.asList(fixture().split("\n"));

    assertTrue(PARSER.detect("pods.json", lines.subList(0, FormatDetector.HEAD_LINES), PARAMS));
    assertTrue(PARSER.detect("pods.json", List.of("{\"apiVersion\":\"v1\",\"items\":[],\"kind\":\"List\"}"), PARAMS));
  }

  @Test
  void doesNotDetectOtherJsonOrSacct() {
    assertFalse(PARSER.detect("nodes.json", List.of("{", "    \"apiVersion\": \"v1\",", "    \"items\": [",
        "        {", "            \"apiVersion\": \"v1\",", "            \"kind\": \"Node\","), PARAMS));
    assertFalse(PARSER.detect("x.json", List.of("[", "    [", "        \"\",", "        0"), PARAMS));
    assertFalse(PARSER.detect("sacct.txt", List.of("JobID|JobName|State"), PARAMS));
    assertFalse(PARSER.detect("empty.json", List.of(), PARAMS));
  }

  // ------------------------------------------------------------------ helpers

  private static String fixture() {
    try (InputStream in = KubectlPodsParserTest.class.getResourceAsStream("/fixtures/k8s/pods.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CollectingSink parse(String text) {
    return CollectingSink.parseText(PARSER, "scheduler/pods.json", "scheduler", text, PARAMS);
  }

  private static Timestamp ts(String utc) {
    return Timestamp.from(Instant.parse(utc));
  }
}
