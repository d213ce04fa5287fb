package org.computeledger.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.computeledger.ingest.EvidenceText;
import org.computeledger.ingest.FormatParser;
import org.computeledger.ingest.Formats;
import org.computeledger.ingest.IngestParams;
import org.computeledger.ingest.InputFile;
import org.junit.jupiter.api.Test;

/**
 * Evidence from JSON documents: a record object (pod, Slurm job, Prometheus series) is copied exactly as it
 * stands in the file, and the copies, put back into their format's envelope, parse into the same rows at
 * the same line numbers as the whole file does. Over real captures (kubectl's pretty-printed pod list of
 * the audit fixture, sacct --json of Slurm 22.05, query_range and an instant vector of Prometheus 2.42).
 */
class JsonRecordsTest {
  private static final Path RES = Path.of("src/test/resources");

  private static RawLines.Collecting whole(FormatParser parser, Path f, InputFile file) throws IOException {
    RawLines.Collecting sink = new RawLines.Collecting(parser.table());
    try (InputStream in = Files.newInputStream(f)) {
      parser.parse(file, EvidenceText.open(in, parser), sink);
    }
    return sink;
  }

  private static List<JsonRecords.Fragment> fragments(FormatParser parser, Path f, TreeSet<Long> lines) throws IOException {
    List<JsonRecords.Span> spans;
    try (InputStream in = Files.newInputStream(f)) {
      spans = JsonRecords.spans(EvidenceText.open(in, parser), parser.format(), lines);
    }
    try (InputStream in = Files.newInputStream(f)) {
      return JsonRecords.cut(EvidenceText.open(in, parser), spans);
    }
  }

  /** Every row of the file comes back from the copies of its record objects, at its line, field for field. */
  private static void everyRowComesBackFromItsRecordObject(String format, Path f) throws IOException {
    FormatParser parser = Formats.byId(format);
    InputFile file = new InputFile(f.getFileName().toString(), "node", IngestParams.defaults());
    RawLines.Collecting all = whole(parser, f, file);
    assertTrue(all.rows.size() > 1, f + " has rows");
    TreeSet<Long> lines = new TreeSet<>();
    all.rows.forEach(p -> lines.add(p.line()));
    List<RawLines.Parsed> again = JsonRecords.reparse(parser, file, fragments(parser, f, lines));
    assertEquals(all.rows.size(), again.size(), f.toString());
    for (int i = 0; i < again.size(); i++) {
      assertEquals(all.rows.get(i).line(), again.get(i).line(), f + " row " + i);
      assertArrayEquals(all.rows.get(i).row(), again.get(i).row(), f + " row " + i + " at line " + again.get(i).line());
    }
  }

  @Test
  void podsOfKubectlsPrettyPrintedListParseAgainFromTheirCopiedObjects() throws IOException {
    everyRowComesBackFromItsRecordObject("k8s-pods", RES.resolve("fixtures/audit-eks/scheduler/kubectl-pods.json"));
  }

  @Test
  void slurmJobsWithTheirStepsParseAgainFromTheirCopiedObjects() throws IOException {
    everyRowComesBackFromItsRecordObject("slurm-json", RES.resolve("real-slurm/sacct.json"));
  }

  @Test
  void prometheusSeriesOfQueryRangeAndInstantVectorsParseAgainFromTheirCopiedObjects() throws IOException {
    everyRowComesBackFromItsRecordObject("prometheus-api-json", RES.resolve("real-prometheus/query_range-dcgm.json.gz"));
    everyRowComesBackFromItsRecordObject("prometheus-api-json", RES.resolve("real-prometheus/query-vector.json"));
  }

  @Test
  void aPodIsCopiedFromItsOpeningToItsClosingBraceWithItsFirstAndLastLine() throws IOException {
    Path f = RES.resolve("fixtures/audit-eks/scheduler/kubectl-pods.json");
    FormatParser parser = Formats.byId("k8s-pods");
    RawLines.Collecting all = whole(parser, f, new InputFile("pods.json", "", IngestParams.defaults()));
    long second = all.rows.get(1).line();
    List<JsonRecords.Fragment> one = fragments(parser, f, new TreeSet<>(List.of(second)));
    assertEquals(1, one.size());
    JsonRecords.Fragment fr = one.get(0);
    List<String> file = Files.readAllLines(f);
    assertEquals(second, fr.firstLine());
    // the fragment is the file's text over its lines, from the brace that opens the pod to the one closing it
    String lines = String.join("\n", file.subList((int) fr.firstLine() - 1, (int) fr.lastLine()));
    assertEquals(lines.strip().replaceAll(",$", ""), fr.text());
    assertTrue(fr.lastLine() > fr.firstLine() + 10, "a pretty-printed pod spans many lines");
  }

  @Test
  void evidenceThatGivesNoRowWhenParsedAgainIsNamedWithItsFileLinesAndFormat() {
    List<RawLines.Parsed> back = List.of(new RawLines.Parsed(3, new Object[0]), new RawLines.Parsed(12, new Object[0]));
    List<String> named = AuditRecompute.notParsedAgain("scheduler/pods.json", "k8s-pods", new TreeSet<>(List.of(3L, 5L)),
        List.of(new JsonRecords.Fragment(10, 20, "{}"), new JsonRecords.Fragment(21, 30, "{}")), back);
    assertEquals(List.of("scheduler/pods.json line 5 (k8s-pods): the copied line gave no row when parsed again",
        "scheduler/pods.json lines 21-30 (k8s-pods): the copied JSON object gave no row when parsed again"), named);
  }
}
