package org.computeledger.ingest;

import org.computeledger.RealSamples;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.computeledger.schema.Allocations;
import org.junit.jupiter.api.Test;

/**
 * Specification of sacct ingest, read against the real Hábrók and XDMoD samples; each bad-input case
 * is a real line with one field altered.
 */
class SacctParserTest {
  private static final SacctParser PARSER = new SacctParser();
  private static final IngestParams UTC = IngestParams.defaults();
  private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");

  private static final String SNOWMAN = "\u2603";

  /** The --format list of the Hábrók files, from real-samples/PROVENANCE.md. */
  private static final List<String> HABROK_COLUMNS = List.of("JobID", "JobName", "User", "Partition",
      "NodeList", "NNodes", "NCPUs", "NTasks", "State", "Submit", "Start", "End", "Timelimit", "Elapsed",
      "TotalCPU", "CPUTime", "UserCPU", "SystemCPU", "ReqMem", "MaxRSS", "MaxVMSize", "ReqTRES", "AllocTRES",
      "TRESUsageInMax", "TRESUsageInTot", "TRESUsageOutTot", "MaxDiskRead", "MaxDiskWrite", "MaxRSSNode",
      "MaxRSSTask", "MaxVMSizeNode", "MaxVMSizeTask", "MaxDiskReadNode", "MaxDiskReadTask",
      "MaxDiskWriteNode", "MaxDiskWriteTask", "Comment");

  /** The 26 columns of XDMoD's --parsable2 test logs, from real-samples/PROVENANCE.md. */
  private static final List<String> XDMOD_COLUMNS = List.of("jobid", "jobidraw", "cluster", "partition", "qos",
      "account", "group", "gid", "user", "uid", "submit", "eligible", "start", "end", "elapsed", "exitcode",
      "state", "nnodes", "ncpus", "reqcpus", "reqmem", "reqtres", "alloctres", "timelimit", "nodelist",
      "jobname");

  private static final IngestParams XDMOD = UTC.withSacctColumns(XDMOD_COLUMNS);

  // ------------------------------------------------------------------ whole files

  @Test
  void habrokFileWithHeaderIsReadThroughItsMultiByteDelimiter() {
    CollectingSink sink = CollectingSink.parse(PARSER, habrok(), UTC);

    assertEquals(List.of(), sink.rejected);
    assertEquals(121, sink.accepted);
    assertEquals(1, sink.ignored, "the header line");
    // 105 records on one node, 13 on two, and one each on 3, 4 and 6 nodes
    assertEquals(144, sink.rows.size());
  }

  @Test
  void headerlessFileWithoutColumnListIsQuarantinedAskingForTheColumns() {
    CollectingSink sink = CollectingSink.parse(PARSER, habrokNoHeader(), UTC);

    assertEquals(0, sink.accepted);
    assertEquals(121, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().contains("--sacct-columns"), sink.rejected.get(0).reason());
  }

  @Test
  void headerlessFileWithColumnListGivesTheRowsOfTheFileWithHeader() {
    CollectingSink withHeader = CollectingSink.parse(PARSER, habrok(), UTC);
    CollectingSink headerless = CollectingSink.parse(PARSER, habrokNoHeader(), UTC.withSacctColumns(HABROK_COLUMNS));

    assertEquals(List.of(), headerless.rejected);
    assertEquals(withHeader.rows.size(), headerless.rows.size());
    for (int i = 0; i < withHeader.rows.size(); i++) {
      assertArrayEquals(withHeader.rows.get(i), headerless.rows.get(i), "row " + i);
    }
  }

  @Test
  void headerlessPipeDelimitedFileIsSplitByItsColumnList() {
    CollectingSink sink = parseXdmod("xdmod-input_accounting-logs.log", XDMOD);

    assertEquals(List.of(), sink.rejected);
    assertEquals(4, sink.accepted);
  }

  @Test
  void headerlessLineWithTooFewColumnsForTheListIsQuarantined() {
    CollectingSink sink = parseXdmod("xdmod-input_accounting-logs.log",
        UTC.withSacctColumns(XDMOD_COLUMNS.subList(0, 25)));

    assertEquals(4, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("wrong field count"), sink.rejected.get(0).reason());
  }

  @Test
  void valuesMatchWhatXdmodMadeOfTheSameLog() throws IOException {
    CollectingSink sink = parseXdmod("xdmod-input_accounting-logs.log", XDMOD);
    JsonNode expected = new ObjectMapper().readTree(
        RealSamples.file("slurm/xdmod-output_accounting-logs.json").toFile());

    for (JsonNode job : expected) {
      List<Integer> rows = rowsOf(sink, job.get("job_id").asText());
      Object[] first = sink.rows.get(rows.get(0));
      assertEquals(job.get("submit_time").asLong(), epoch(first, Allocations.SUBMIT_TIME));
      assertEquals(job.get("start_time").asLong(), epoch(first, Allocations.START_TIME));
      assertEquals(job.get("end_time").asLong(), epoch(first, Allocations.END_TIME));
      assertEquals(job.get("elapsed").asLong(), first[idx(Allocations.ELAPSED_S)]);
      // XDMoD's job 5692623 prints 0 nodes yet lists two; rows follow the list
      int listed = job.get("nnodes").asInt() > 0 ? job.get("nnodes").asInt()
          : job.get("node_list").asText().split(",").length;
      assertEquals(listed, rows.size(), "one row per node of " + job.get("job_id"));
      int gpus = 0;
      for (int r : rows) {
        Integer g = (Integer) sink.get(r, Allocations.GPU_COUNT);
        gpus += g == null ? 0 : g;
      }
      assertEquals(job.get("ngpus").asInt(), gpus, "GPUs of " + job.get("job_id"));
    }
  }

  @Test
  void everyLineIsAccountedForExactlyOnce() throws IOException {
    for (String name : List.of("habrok-sacct-with-header.txt", "xdmod-input_accounting-logs-with-job-arrays.log",
        "xdmod-input_non-ended-job-state.log", "xdmod-input_utf8-multibyte-chars.log")) {
      Path file = RealSamples.file("slurm/" + name);
      CollectingSink sink = CollectingSink.parse(PARSER, file, XDMOD);
      long lines = Files.readAllLines(file, StandardCharsets.UTF_8).size();
      assertEquals(lines, sink.accepted + sink.rejected.size() + sink.ignored, name);
    }
  }

  // ------------------------------------------------------------------ detection

  @Test
  void detectsSacctWithHeaderAndWithoutFromContent() {
    for (String name : List.of("habrok-sacct-with-header.txt", "habrok-sacct-noheader.txt",
        "xdmod-input_accounting-logs.log", "xdmod-input_accounting-logs-with-job-arrays.log",
        "xdmod-input_non-ended-job-state.log", "xdmod-input_unknown-job-state.log",
        "xdmod-input_utf8-multibyte-chars.log")) {
      assertTrue(PARSER.detect("x.txt", head(RealSamples.file("slurm/" + name)), UTC), name);
    }
  }

  @Test
  void doesNotDetectOtherFormats() {
    for (String name : List.of("nvidia-smi/linux-x86_64__nvidia-l40s__595.80.load.query-gpu.csv",
        "dcgm/cncf-k8s-ai-conformance_kops.prom", "dcgm/dcgm-exporter_default-counters.csv",
        "billing/focus-1.0-sample.csv", "billing/aws-cur-legacy-sample.csv",
        "slurm/xdmod-alloc-tres-gpu-count.json")) {
      assertFalse(PARSER.detect("sacct.txt", head(RealSamples.file(name)), UTC), name);
    }
    assertFalse(PARSER.detect("pods.json", List.of("{", "    \"apiVersion\": \"v1\","), UTC));
    assertFalse(PARSER.detect("flop.csv",
        List.of("2026-03-02T10:00:00Z,2026-03-02T10:01:00Z,node017,GPU-8f1c,3,4.1e16,bf16,cupti"), UTC));
  }

  // ------------------------------------------------------------------ job ids

  @Test
  void arrayTaskIdIsSplitFromTheArrayJobId() {
    CollectingSink sink = parseHabrok(habrokRecord("5908801_3"));

    assertEquals("5908801_3", sink.get(0, Allocations.JOB_ID));
    assertEquals("5908801", sink.get(0, Allocations.ARRAY_JOB_ID));
    assertEquals("3", sink.get(0, Allocations.ARRAY_TASK_ID));
    assertNull(sink.get(0, Allocations.STEP_ID));
  }

  @Test
  void stepOfAnArrayTaskKeepsAllThreeParts() {
    CollectingSink sink = parseHabrok(habrokRecord("7216821_144.batch"));

    assertEquals("7216821_144.batch", sink.get(0, Allocations.JOB_ID));
    assertEquals("7216821", sink.get(0, Allocations.ARRAY_JOB_ID));
    assertEquals("144", sink.get(0, Allocations.ARRAY_TASK_ID));
    assertEquals("batch", sink.get(0, Allocations.STEP_ID));
  }

  @Test
  void numberedStepSpansTheNodesOfItsJob() {
    CollectingSink sink = parseHabrok(habrokRecord("7818766.0"));

    assertEquals(2, sink.rows.size());
    assertEquals("0", sink.get(0, Allocations.STEP_ID));
    assertEquals("7818766", sink.get(0, Allocations.ARRAY_JOB_ID));
    assertEquals("omni2", sink.get(0, Allocations.NODE));
    assertEquals("omni3", sink.get(1, Allocations.NODE));
  }

  @Test
  void plainJobIsItsOwnArrayJob() {
    CollectingSink sink = parseHabrok(habrokRecord("4034541"));

    assertEquals("4034541", sink.get(0, Allocations.ARRAY_JOB_ID));
    assertNull(sink.get(0, Allocations.ARRAY_TASK_ID));
  }

  @Test
  void pendingArrayRangeKeepsItsBracketsAsTaskId() {
    CollectingSink sink = parseXdmod("xdmod-input_accounting-logs-with-job-arrays.log", XDMOD);
    int row = rowsOf(sink, "4103947_[9-11,20]").get(0);

    assertEquals("4103947", sink.get(row, Allocations.ARRAY_JOB_ID));
    assertEquals("[9-11,20]", sink.get(row, Allocations.ARRAY_TASK_ID));
  }

  @Test
  void heterogeneousJobComponentIsKeptWhole() {
    String[] parts = new String[3];

    assertTrue(SacctParser.splitJobId("123+0", parts));
    assertArrayEquals(new String[] {"123", null, null}, parts);
    assertTrue(SacctParser.splitJobId("123+1.batch", parts));
    assertArrayEquals(new String[] {"123", null, "batch"}, parts);
  }

  @Test
  void jobIdThatIsNoSlurmIdIsQuarantined() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("4034541"), "JobID", "job4034541"));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("field JobID:"), sink.rejected.get(0).reason());
  }

  // ------------------------------------------------------------------ state, user, names

  @Test
  void cancelledByUidKeepsOnlyTheStateAndDropsTheUid() {
    CollectingSink sink = parseHabrok(habrokRecord("4034541"));

    assertEquals("CANCELLED", sink.get(0, Allocations.STATE));
    for (Object value : sink.rows.get(0)) {
      assertFalse(String.valueOf(value).contains("10304007"), String.valueOf(value));
    }
  }

  @Test
  void userIsStoredOnlyAsKeyedPseudonym() {
    CollectingSink sink = parseHabrok(habrokRecord("4034541"));

    assertEquals(Pseudonyms.user(IngestParams.DEFAULT_PSEUDONYM_KEY, "user424"), sink.get(0, Allocations.USER_HASH));
    for (Object value : sink.rows.get(0)) {
      assertFalse(String.valueOf(value).contains("user424"), String.valueOf(value));
    }
  }

  @Test
  void emptyFieldsOfAStepRowAreNull() {
    CollectingSink sink = parseHabrok(habrokRecord("7965768.batch"));

    assertNull(sink.get(0, Allocations.USER_HASH));
    assertNull(sink.get(0, Allocations.PARTITION));
    assertNull(sink.get(0, Allocations.COMMENT));
    assertEquals(Map.of(), sink.get(0, Allocations.LABELS));
  }

  @Test
  void clusterComesFromTheClusterColumn() {
    CollectingSink sink = parseXdmod("xdmod-input_accounting-logs.log", XDMOD);

    assertEquals("ub-hpc", sink.get(0, Allocations.CLUSTER));
  }

  @Test
  void clusterFallsBackToTheParameterWithoutClusterColumn() {
    IngestParams params = new IngestParams(ZoneId.of("UTC"), List.of(), "habrok", "k");
    CollectingSink sink = CollectingSink.parseText(PARSER, "s.txt", "scheduler",
        habrokHeader() + "\n" + habrokRecord("4034541") + "\n", params);

    assertEquals("habrok", sink.get(0, Allocations.CLUSTER));
  }

  @Test
  void multiByteCharactersOfJobNameSurvive() {
    CollectingSink sink = parseXdmod("xdmod-input_utf8-multibyte-chars.log", XDMOD);

    assertEquals("a\u00e0b", sink.get(0, Allocations.JOB_NAME));
    assertEquals("general-compute", sink.get(0, Allocations.PARTITION));
    assertEquals("anon", sink.get(0, Allocations.ACCOUNT));
  }

  // ------------------------------------------------------------------ times

  @Test
  void noneStartIsNullForAJobCancelledBeforeItRan() {
    CollectingSink sink = parseHabrok(habrokRecord("4047445"));

    assertNull(sink.get(0, Allocations.START_TIME));
    assertEquals(ts("2023-09-01T14:55:57Z"), sink.get(0, Allocations.END_TIME));
    assertEquals(ts("2023-09-01T14:54:50Z"), sink.get(0, Allocations.SUBMIT_TIME));
  }

  @Test
  void unknownEndOfARunningJobIsNull() {
    String running = alter(xdmodLine("xdmod-input_non-ended-job-state.log", 0), "end", "Unknown");
    CollectingSink sink = CollectingSink.parseText(PARSER, "s.log", "scheduler", running + "\n", XDMOD);

    assertEquals(1, sink.accepted);
    assertNull(sink.get(0, Allocations.END_TIME));
    assertEquals(ts("2020-06-30T19:24:08Z"), sink.get(0, Allocations.START_TIME));
    assertEquals("RUNNING", sink.get(0, Allocations.STATE));
  }

  @Test
  void pendingJobHasNoStartAndNoGpuCount() {
    CollectingSink sink = parseXdmod("xdmod-input_non-ended-job-state.log", XDMOD);
    int row = rowsOf(sink, "3483276").get(0);

    assertEquals("PENDING", sink.get(row, Allocations.STATE));
    assertNull(sink.get(row, Allocations.START_TIME));
    assertNull(sink.get(row, Allocations.GPU_COUNT));
  }

  @Test
  void elapsedFormsAreReadAsSeconds() {
    assertEquals(86_400 + 4 * 3_600 + 37 * 60 + 26, SacctParser.parseElapsed("1-04:37:26"));
    assertEquals(3 * 3_600 + 34 * 60 + 13, SacctParser.parseElapsed("03:34:13"));
    assertEquals(34 * 60 + 13, SacctParser.parseElapsed("34:13"));
    assertEquals(2, SacctParser.parseElapsed("00:02.617"));
    assertEquals(-1, SacctParser.parseElapsed("INVALID"));
  }

  @Test
  void elapsedIsTakenAsPrinted() {
    CollectingSink sink = parseHabrok(habrokRecord("5908801_3"));

    assertEquals(86_400L + 4 * 3_600 + 37 * 60 + 26, sink.get(0, Allocations.ELAPSED_S));
  }

  @Test
  void localTimesAreReadInTheSchedulerZone() {
    CollectingSink sink = parseHabrok(AMSTERDAM, habrokRecord("4034541"));

    // 2023-09-01 is summer time in Amsterdam, UTC+2
    assertEquals(ts("2023-09-01T03:51:10Z"), sink.get(0, Allocations.START_TIME));
    assertEquals(ts("2023-09-01T07:25:23Z"), sink.get(0, Allocations.END_TIME));
  }

  @Test
  void timeInTheSpringForwardGapIsShiftedForward() {
    String line = alter(alter(alter(habrokRecord("4034541"), "Submit", "2023-03-26T01:00:00"),
        "Start", "2023-03-26T02:30:00"), "End", "2023-03-26T04:00:00");
    CollectingSink sink = parseHabrok(AMSTERDAM, line);

    assertEquals(ts("2023-03-26T00:00:00Z"), sink.get(0, Allocations.SUBMIT_TIME), "01:00 CET");
    assertEquals(ts("2023-03-26T01:30:00Z"), sink.get(0, Allocations.START_TIME), "02:30 does not exist: 03:30 CEST");
    assertEquals(ts("2023-03-26T02:00:00Z"), sink.get(0, Allocations.END_TIME), "04:00 CEST");
  }

  @Test
  void timeInTheFallBackHourTakesTheEarlierOffset() {
    String line = alter(alter(alter(habrokRecord("4034541"), "Submit", "2023-10-29T01:00:00"),
        "Start", "2023-10-29T02:30:00"), "End", "2023-10-29T05:00:00");
    CollectingSink sink = parseHabrok(AMSTERDAM, line);

    assertEquals(ts("2023-10-29T00:30:00Z"), sink.get(0, Allocations.START_TIME), "02:30 CEST, the first pass");
    assertEquals(ts("2023-10-29T04:00:00Z"), sink.get(0, Allocations.END_TIME), "05:00 CET");
  }

  @Test
  void endInTheFallBackHourBeforeItsStartIsTheSecondPass() {
    String line = alter(alter(alter(habrokRecord("4034541"), "Submit", "2023-10-29T01:00:00"),
        "Start", "2023-10-29T02:50:00"), "End", "2023-10-29T02:10:00");
    CollectingSink sink = parseHabrok(AMSTERDAM, line);

    assertEquals(List.of(), sink.rejected);
    assertEquals(ts("2023-10-29T00:50:00Z"), sink.get(0, Allocations.START_TIME), "02:50 CEST");
    assertEquals(ts("2023-10-29T01:10:00Z"), sink.get(0, Allocations.END_TIME), "02:10 CET");
  }

  // ------------------------------------------------------------------ nodes

  @Test
  void compressedNodeListExpandsToOneRowPerNode() {
    CollectingSink sink = parseXdmod("xdmod-input_accounting-logs-with-job-arrays.log", XDMOD);
    List<Integer> rows = rowsOf(sink, "4103947_100");
    List<Object> nodes = new ArrayList<>();
    for (int r : rows) {
      nodes.add(sink.get(r, Allocations.NODE));
    }

    // 7 plain hosts, 3 two-host ranges in d09, 14 more single d09 hosts, and d13n[03,05,07-08,16]
    assertEquals(32, nodes.size());
    assertEquals("d07n07s02", nodes.get(0));
    assertEquals(List.of("d09n04s01", "d09n04s02"), nodes.subList(7, 9));
    assertEquals(List.of("d13n03", "d13n05", "d13n07", "d13n08", "d13n16"), nodes.subList(27, 32));
    assertEquals(32, sink.get(rows.get(0), Allocations.NODE_COUNT));
    assertEquals(32, nodes.stream().distinct().count());
  }

  @Test
  void noNodeAssignedGivesOneRowWithNullNode() {
    CollectingSink sink = parseHabrok(habrokRecord("4047445"));

    assertEquals(1, sink.rows.size());
    assertNull(sink.get(0, Allocations.NODE));
    assertEquals(1, sink.get(0, Allocations.NODE_COUNT));
  }

  @Test
  void hostListWithSeveralBracketGroupsExpandsLeftmostSlowest() {
    assertEquals(List.of("a1b3", "a1b4", "a2b3", "a2b4"), SlurmHostList.expand("a[1-2]b[3-4]"));
  }

  @Test
  void hostListKeepsZeroPaddingAndMixesPlainHosts() {
    assertEquals(List.of("gpu7", "node08", "node09", "node10", "login1"),
        SlurmHostList.expand("gpu7,node[08-10],login1"));
    assertEquals(List.of("node8", "node9", "node10"), SlurmHostList.expand("node[8-10]"));
  }

  @Test
  void malformedHostListIsRejected() {
    assertNull(SlurmHostList.expand("node[1-"));
    assertNull(SlurmHostList.expand("node[3-1]"));
    assertNull(SlurmHostList.expand("node[[1]]"));
    assertNull(SlurmHostList.expand("a,,b"));
    assertNull(SlurmHostList.expand("node[1-1000000]"));
  }

  // ------------------------------------------------------------------ GPUs

  @Test
  void gpuCountedOnceWhenAllocTresNamesItTwice() {
    CollectingSink sink = parseHabrok(habrokRecord("7939708"));

    assertEquals(1, sink.get(0, Allocations.GPU_COUNT), "gres/gpu:a100=1,gres/gpu=1");
    assertEquals("a100", sink.get(0, Allocations.GPU_MODEL));
    assertEquals("a100gpu2", sink.get(0, Allocations.NODE));
  }

  @Test
  void arrayTaskInGpuPartitionWithoutGpuTresHasZeroGpus() {
    // the only array task on a GPU node in the Hábrók sample: AllocTRES has no gres/gpu at all
    CollectingSink sink = parseHabrok(habrokRecord("5908801_3"));

    assertEquals(0, sink.get(0, Allocations.GPU_COUNT));
    assertNull(sink.get(0, Allocations.GPU_MODEL));
  }

  @Test
  void gpuOfArrayTaskIsCountedWithItsType() {
    String line = alter(habrokRecord("5908801_3"), "AllocTRES",
        "billing=15,cpu=8,gres/gpu:v100=1,gres/gpu=1,mem=125000M,node=1");
    CollectingSink sink = parseHabrok(line);

    assertEquals("3", sink.get(0, Allocations.ARRAY_TASK_ID));
    assertEquals(1, sink.get(0, Allocations.GPU_COUNT));
    assertEquals("v100", sink.get(0, Allocations.GPU_MODEL));
  }

  @Test
  void gpuCountsOfXdmodAllocTresPairs() throws IOException {
    JsonNode pairs = new ObjectMapper().readTree(
        RealSamples.file("slurm/xdmod-alloc-tres-gpu-count.json").toFile());

    for (JsonNode pair : pairs) {
      String tres = pair.get(0).asText();
      if (tres.isEmpty()) {
        continue;
      }
      GpuTres gpus = GpuTres.parse(tres);
      assertEquals(pair.get(1).asInt(), gpus.total, tres);
    }
  }

  @Test
  void emptyAllocTresMeansNothingAllocatedNotZeroGpus() {
    // XDMoD's pairs count "" as 0 GPUs; here an empty AllocTRES leaves gpu_count unknown
    assertNull(GpuTres.parse(null));
    CollectingSink sink = parseHabrok(habrokRecord("4047445"));
    assertNull(sink.get(0, Allocations.GPU_COUNT));
  }

  @Test
  void typedGpuCountsAreSummedWhenNoUntypedTotalIsGiven() {
    GpuTres gpus = GpuTres.parse("billing=1,cpu=1,gres/gpu:tesla=4");

    assertEquals(4, gpus.total);
    assertEquals("tesla", gpus.model);
  }

  @Test
  void gpuUsageTresIsNoGpu() {
    GpuTres gpus = GpuTres.parse("cpu=8,gres/gpumem=20500736K,gres/gpuutil=90,mem=1294440K");

    assertEquals(0, gpus.total);
  }

  @Test
  void gpusSplitEvenlyOverTheNodesOfAJob() {
    CollectingSink sink = parseXdmod("xdmod-input_accounting-logs.log", XDMOD);
    List<Integer> rows = rowsOf(sink, "5692623");

    assertEquals(2, rows.size(), "gres/gpu=2 on cpn-k16-35-01,cpn-k16-37-01");
    assertEquals(1, sink.get(rows.get(0), Allocations.GPU_COUNT));
    assertEquals(1, sink.get(rows.get(1), Allocations.GPU_COUNT));
  }

  @Test
  void gpusThatDoNotDivideEvenlyGoToTheFirstNodesFirst() {
    String line = alter(xdmodLine("xdmod-input_accounting-logs.log", 3), "alloctres", "gres/gpu=3");
    CollectingSink sink = CollectingSink.parseText(PARSER, "s.log", "scheduler", line + "\n", XDMOD);

    assertEquals("cpn-k16-35-01", sink.get(0, Allocations.NODE));
    assertEquals(2, sink.get(0, Allocations.GPU_COUNT));
    assertEquals(1, sink.get(1, Allocations.GPU_COUNT));
  }

  @Test
  void gpuIndicesComeFromAllocGres() {
    // hand-written in sacct --parsable2 shape: none of the real samples has an AllocGRES column
    String text = "JobID|NodeList|NNodes|AllocTRES|AllocGRES\n"
        + "9001|gpu[01-02]|2|cpu=16,gres/gpu:a100=8,gres/gpu=8,node=2|gpu:a100:4(IDX:0-3)\n";
    CollectingSink sink = CollectingSink.parseText(PARSER, "s.txt", "scheduler", text, UTC);

    assertEquals(2, sink.rows.size());
    assertEquals("0,1,2,3", sink.get(0, Allocations.GPU_INDICES));
    assertEquals(4, sink.get(1, Allocations.GPU_COUNT));
  }

  @Test
  void gpuIndicesAreNullWithoutGresColumn() {
    CollectingSink sink = parseHabrok(habrokRecord("7939708"));

    assertNull(sink.get(0, Allocations.GPU_INDICES));
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void delimiterInsideTheJobNameIsReadAsPartOfTheName() {
    String line = alter(habrokRecord("4034541"), "JobName", "EYR378" + SNOWMAN + "CSFYHIMYW");
    CollectingSink sink = parseHabrok(line);

    assertEquals(List.of(), sink.rejected);
    assertEquals("EYR378" + SNOWMAN + "CSFYHIMYW", sink.get(0, Allocations.JOB_NAME));
  }

  @Test
  void aWholeLineWithABadJobIdStandsAloneAndTheRecordsAroundItAreRead() {
    String good = habrokRecord("4034541");
    String bad = alter(good, "JobID", "x?");
    CollectingSink sink = parseHabrok(good, bad, good.replace("4034541", "4034542"));

    assertEquals(2, sink.accepted);
    assertEquals(1, sink.rejected.size());
    assertEquals(3, sink.rejected.get(0).line());
  }

  @Test
  void delimiterInsideAFixedShapeFieldHasWrongFieldCount() {
    String line = alter(habrokRecord("4034541"), "Elapsed", "00:00" + SNOWMAN + "01");
    CollectingSink sink = parseHabrok(line);

    assertEquals(0, sink.accepted);
    assertEquals(1, sink.rejected.size());
    assertEquals(2, sink.rejected.get(0).line());
    // the user, the fields it may have shifted to and the canceller's uid are masked (PRODUCT.md §8)
    assertFalse(sink.rejected.get(0).raw().contains("user424"), sink.rejected.get(0).raw());
    assertTrue(sink.rejected.get(0).raw().contains("CANCELLED by <masked>"), sink.rejected.get(0).raw());
    assertTrue(sink.rejected.get(0).reason().startsWith("wrong field count: expected 37 fields"),
        sink.rejected.get(0).reason());
    assertTrue(sink.rejected.get(0).reason().contains("found 38: no reading lets the free-text columns (JobName,"
        + " Comment)"), sink.rejected.get(0).reason());
  }

  @Test
  void impossibleTimeIsQuarantinedNamingTheField() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("4034541"), "Submit", "2023-08-31T25:29:47"));

    assertEquals(1, sink.rejected.size());
    assertEquals("field Submit: expected an ISO time like 2023-08-31T12:29:47, Unknown or None, "
        + "'2023-08-31T25:29:47'", sink.rejected.get(0).reason());
  }

  @Test
  void endBeforeStartIsNegativeDuration() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("4034541"), "End", "2023-09-01T04:25:23"));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("negative duration: End '2023-09-01T04:25:23'"),
        sink.rejected.get(0).reason());
  }

  @Test
  void unreadableElapsedIsQuarantined() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("4034541"), "Elapsed", "03:3413"));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("field Elapsed:"), sink.rejected.get(0).reason());
  }

  @Test
  void unreadableNodeListIsQuarantined() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("7818766"), "NodeList", "omni[2-3"));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("field NodeList:"), sink.rejected.get(0).reason());
  }

  @Test
  void unreadableNodeCountIsQuarantined() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("7818766"), "NNodes", "two"));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("field NNodes:"), sink.rejected.get(0).reason());
  }

  @Test
  void unreadableGpuCountIsQuarantined() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("7939708"), "AllocTRES",
        "billing=8,cpu=8,gres/gpu:a100=one,gres/gpu=one,mem=32G,node=1"));

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("field AllocTRES:"), sink.rejected.get(0).reason());
  }

  @Test
  void timeBefore2000IsQuarantinedAsImplausible() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("4034541"), "Start", "1970-01-01T00:00:00"));

    assertEquals(0, sink.accepted);
    assertEquals("field Start: time '1970-01-01T00:00:00' is before 2000-01-01T00:00:00Z, the earliest plausible",
        sink.rejected.get(0).reason());
  }

  @Test
  void timeMoreThanADayAfterTheRunIsQuarantined() {
    String text = habrokHeader() + "\n" + alter(habrokRecord("4034541"), "End", "2023-09-07T09:25:23") + "\n"
        + habrokRecord("4046412") + "\n";
    IngestParams run = UTC.withRunInstant(Instant.parse("2023-09-05T00:00:00Z"));
    CollectingSink sink = CollectingSink.parseText(PARSER, "sacct.txt", "scheduler", text, run);

    assertEquals(1, sink.accepted, "the other record, within a day of the run");
    assertEquals("field End: time '2023-09-07T09:25:23' is more than 1 day after the moment of the run",
        sink.rejected.get(0).reason());
  }

  @Test
  void moreThan64GpusOnOneNodeIsQuarantinedAsImplausible() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("7939708"), "AllocTRES",
        "billing=8,cpu=8,gres/gpu:a100=650,gres/gpu=650,mem=32G,node=1"));

    assertEquals(0, sink.accepted);
    assertEquals("field AllocTRES: 650 GPUs on 1 node(s) is more than 64 per node, the plausible limit",
        sink.rejected.get(0).reason());
  }

  @Test
  void negativeGpuCountIsQuarantined() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("7939708"), "AllocTRES",
        "billing=8,cpu=8,gres/gpu=-2,mem=32G,node=1"));

    assertEquals(0, sink.accepted);
    assertTrue(sink.rejected.get(0).reason().startsWith("field AllocTRES: expected whole GPU counts"),
        sink.rejected.get(0).reason());
  }

  @Test
  void lineCutShortByAWriterIsQuarantinedForItsFieldCount() {
    String whole = habrokRecord("4034541");
    CollectingSink sink = parseHabrok(whole.substring(0, whole.length() / 2), habrokRecord("4046412"));

    assertEquals(1, sink.accepted);
    assertTrue(sink.rejected.get(0).reason().startsWith("wrong field count: expected 37 fields"),
        sink.rejected.get(0).reason());
  }

  @Test
  void badLineDoesNotStopTheLinesAfterIt() {
    CollectingSink sink = parseHabrok(alter(habrokRecord("4034541"), "End", "2023-09-01T04:25:23"),
        habrokRecord("4046412"));

    assertEquals(1, sink.rejected.size());
    assertEquals(1, sink.accepted);
    assertEquals(3, sink.rowLines.get(0));
  }

  @Test
  void repeatedHeaderOfConcatenatedOutputIsIgnored() {
    String text = habrokHeader() + "\n" + habrokRecord("4034541") + "\n" + habrokHeader() + "\n"
        + habrokRecord("4046412") + "\n";
    CollectingSink sink = CollectingSink.parseText(PARSER, "s.txt", "scheduler", text, UTC);

    assertEquals(2, sink.accepted);
    assertEquals(2, sink.ignored);
  }

  // ------------------------------------------------------------------ helpers

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> head(Path file) {
    List<String> all = lines(file);
    return all.subList(0, Math.min(FormatDetector.HEAD_LINES, all.size()));
  }

  private static String habrokHeader() {
    return lines(habrok()).get(0);
  }

  /** The Hábrók line of one job id, as read from the real sample. */
  private static String habrokRecord(String jobId) {
    for (String line : lines(habrok())) {
      if (line.startsWith(jobId + SNOWMAN)) {
        return line;
      }
    }
    throw new IllegalArgumentException("no Hábrók record " + jobId);
  }

  private static String xdmodLine(String file, int i) {
    return lines(RealSamples.file("slurm/" + file)).get(i);
  }

  /** A line with one field replaced; the field is named as in the Hábrók header or the XDMoD list. */
  private static String alter(String line, String column, String value) {
    boolean habrok = line.contains(SNOWMAN);
    String delimiter = habrok ? SNOWMAN : "|";
    List<String> columns = habrok ? HABROK_COLUMNS : XDMOD_COLUMNS;
    String[] fields = line.split(java.util.regex.Pattern.quote(delimiter), -1);
    int i = columns.indexOf(column);
    assertTrue(i >= 0, column);
    fields[i] = value;
    return String.join(delimiter, fields);
  }

  private static CollectingSink parseHabrok(String... records) {
    return parseHabrok(ZoneId.of("UTC"), records);
  }

  private static CollectingSink parseHabrok(ZoneId zone, String... records) {
    StringBuilder text = new StringBuilder(habrokHeader()).append('\n');
    for (String r : records) {
      text.append(r).append('\n');
    }
    return CollectingSink.parseText(PARSER, "sacct.txt", "scheduler", text.toString(),
        UTC.withSchedulerZone(zone));
  }

  private static CollectingSink parseXdmod(String file, IngestParams params) {
    return CollectingSink.parse(PARSER, RealSamples.file("slurm/" + file), params);
  }

  private static List<Integer> rowsOf(CollectingSink sink, String jobId) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < sink.rows.size(); i++) {
      if (jobId.equals(sink.get(i, Allocations.JOB_ID))) {
        rows.add(i);
      }
    }
    assertFalse(rows.isEmpty(), "no rows of " + jobId + " among " + Arrays.toString(sink.rejected.toArray()));
    return rows;
  }

  private static int idx(String column) {
    return org.computeledger.schema.Table.ALLOCATIONS.index(column);
  }

  private static long epoch(Object[] row, String column) {
    Object v = row[idx(column)];
    assertNotNull(v, column);
    return ((Timestamp) v).toInstant().getEpochSecond();
  }

  private static Timestamp ts(String utc) {
    return Timestamp.from(Instant.parse(utc));
  }

  /** Resolved in each test, so a checkout without the shared samples skips instead of failing. */
  private static Path habrok() {
    return RealSamples.file("slurm/habrok-sacct-with-header.txt");
  }

  private static Path habrokNoHeader() {
    return RealSamples.file("slurm/habrok-sacct-noheader.txt");
  }
}
