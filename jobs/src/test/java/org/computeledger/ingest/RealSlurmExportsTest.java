package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.computeledger.schema.Allocations;
import org.junit.jupiter.api.Test;

/**
 * The exports of one real Slurm 22.05.8 cluster (Debian 12, slurmdbd on MariaDB), made by
 * scripts/capture-real-slurm and kept in src/test/resources/real-slurm (see its README): every job
 * of each export becomes the same allocations, and GPU-seconds per account are what the export says.
 */
class RealSlurmExportsTest {
  private static final SacctParser SACCT = new SacctParser();
  private static final SlurmJsonParser JSON = new SlurmJsonParser();
  private static final IngestParams UTC = IngestParams.defaults();
  private static final String US = "\u001f";

  // ------------------------------------------------------------------ -P with the delimiter in free text

  @Test
  void everyRecordOfThePExportIsRead() {
    CollectingSink sink = parse("sacct-P.txt", UTC);

    assertEquals(List.of(), sink.rejected);
    assertEquals(jsonJobsAndSteps(), sink.accepted);
  }

  @Test
  void jobWhoseNameAndCommentHoldTheDelimiterIsReadWhole() {
    CollectingSink sink = parse("sacct-P.txt", UTC);
    int i = rowOf(sink, "1");

    assertEquals("train, resnet50 | lr=0.1 `warm` ü", sink.get(i, Allocations.JOB_NAME));
    assertEquals("sweep \"a\" | run #3 — ok", sink.get(i, Allocations.COMMENT));
    assertEquals(4, sink.get(i, Allocations.GPU_COUNT));
    assertEquals("atlas", sink.get(i, Allocations.ACCOUNT));
  }

  @Test
  void adjacentFreeTextSplitWithoutSpacesIsQuarantinedAsAmbiguous() {
    String header = firstLine("sacct-P-adjacent-free-text.txt");
    String line = "99|99|ledgertest|gpu|atlas|alice|pretrain|a|b|c|COMPLETED|0:0|2026-12-06T03:47:33"
        + "|2026-12-06T03:47:34|2026-12-06T03:47:46|00:00:12|12|1|2|gpu1||billing=2,gres/gpu=4";
    CollectingSink sink = CollectingSink.parseText(SACCT, "x.txt", "", header + "\n" + line + "\n", UTC);

    assertEquals(0, sink.accepted);
    assertEquals(1, sink.rejected.size());
    String reason = sink.rejected.get(0).reason();
    assertTrue(reason.contains("ambiguous") && reason.contains("JobName") && reason.contains("x1f"), reason);
  }

  @Test
  void sideBySideFreeTextQuarantinesOnlyTheRecordsWithTwoReadingsSayingSo() {
    CollectingSink sink = parse("sacct-P-adjacent-free-text.txt", UTC);

    List<String> quarantined = new ArrayList<>();
    for (CollectingSink.Rejected r : sink.rejected) {
      assertTrue(r.reason().contains("ambiguous") && r.reason().contains("Comment would be 'array|it's, fine' or 'it's, fine'"), r.reason());
      quarantined.add(r.raw().substring(0, r.raw().indexOf('|')));
    }
    // WCKey, JobName and Comment side by side: "sweep|sweep|array|it's, fine" has two readings without spaces
    assertEquals(List.of("2_0", "2_1", "2_2", "2_3"), quarantined);
    assertEquals(jsonJobsAndSteps(), sink.accepted + sink.rejected.size());
  }

  @Test
  void sideBySideNameAndCommentAreSplitWhereTheBarHasNoSpaceAroundIt() {
    CollectingSink sink = parse("sacct-P-adjacent-free-text.txt", UTC);
    int i = rowOf(sink, "1");

    assertEquals("train, resnet50 | lr=0.1 `warm` ü", sink.get(i, Allocations.JOB_NAME));
    assertEquals("sweep \"a\" | run #3 — ok", sink.get(i, Allocations.COMMENT));
  }

  @Test
  void extraDelimiterOutsideFreeTextIsQuarantinedWithTheCount() {
    String header = firstLine("sacct-P-adjacent-free-text.txt");
    String line = "99|99|ledgertest|gpu|atlas|alice|pretrain|name||COMPLETED|0:0|2026-12-06T03:47:33"
        + "|2026-12-06T03:47:34|2026-12-06T03:47:46|00:00:12|12|1|2|gpu1||billing=2,gres/gpu=4|x";
    CollectingSink sink = CollectingSink.parseText(SACCT, "x.txt", "", header + "\n" + line + "\n", UTC);

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("wrong field count: expected 21"),
        sink.rejected.get(0).reason());
  }

  @Test
  void headerlessExportGivesTheRowsOfTheExportWithHeader() {
    List<String> columns = List.of(firstLine("sacct-P.txt").split("\\|"));
    CollectingSink withHeader = parse("sacct-P.txt", UTC);
    CollectingSink headerless = parse("sacct-P-noheader.txt", UTC.withSacctColumns(columns));

    assertEquals(List.of(), headerless.rejected);
    assertSameRows(withHeader, headerless);
  }

  @Test
  void unitSeparatorExportReadThroughTheIngestReaderGivesTheSameRows() throws IOException {
    byte[] bytes = Files.readAllBytes(fixture("sacct-unit-separator.txt"));
    assertTrue(new String(bytes, StandardCharsets.UTF_8).contains(US), "the fixture is the \\x1f export");
    CollectingSink sink = new CollectingSink(SACCT.table());
    try (Reader text = InputText.text(new ByteArrayInputStream(bytes), Plausibility.MAX_LINE_CHARS, true)) {
      SACCT.parse(new InputFile("sacct-unit-separator.txt", "", UTC), text, sink);
    }

    assertEquals(List.of(), sink.rejected);
    assertSameRows(parse("sacct-P.txt", UTC), sink);
  }

  // ------------------------------------------------------------------ multi-line values

  @Test
  void commentWithALineBreakKeepsItsRecordAtItsFirstLine() {
    CollectingSink sink = parse("sacct-P.txt", UTC);
    int i = rowOf(sink, "11");

    assertEquals("failing", sink.get(i, Allocations.JOB_NAME));
    assertEquals("two\nlines", sink.get(i, Allocations.COMMENT));
    assertEquals(lineOf("sacct-P.txt", "11|11|"), sink.rowLines.get(i));
  }

  @Test
  void everyPhysicalLineIsCountedOnce() {
    for (String name : List.of("sacct-P.txt", "sacct-P-format-ALL.txt", "sacct-P-X.txt")) {
      CollectingSink sink = parse(name, UTC);
      assertEquals(lines(name).size(), sink.accepted + sink.rejected.size() + sink.ignored, name);
    }
  }

  @Test
  void formatAllExportWithMultiLineSubmitLinesGivesTheRowsOfThePExport() {
    CollectingSink all = parse("sacct-P-format-ALL.txt", UTC);

    assertEquals(List.of(), all.rejected);
    assertSameRows(parse("sacct-P.txt", UTC), all);
  }

  @Test
  void everyFieldOfTheRealExportsFitsItsColumnShape() {
    for (String name : List.of("sacct-P.txt", "sacct-P-format-ALL.txt")) {
      List<String> lines = lines(name);
      String[] columns = lines.get(0).split("\\|", -1);
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.split("\\|", -1);
        if (fields.length != columns.length) {
          continue;
        }
        for (int c = 0; c < columns.length; c++) {
          assertTrue(SacctRecovery.fits(SacctRecovery.shapeOf(columns[c]), fields[c]),
              name + ": " + columns[c] + " '" + fields[c] + "'");
        }
      }
    }
  }

  // ------------------------------------------------------------------ -X and JSON

  @Test
  void xExportGivesTheJobRowsOfThePExport() {
    CollectingSink p = parse("sacct-P.txt", UTC);
    CollectingSink x = parse("sacct-P-X.txt", UTC);

    assertEquals(List.of(), x.rejected);
    assertEquals(sorted(rows(p, true)), sorted(rows(x, false)));
  }

  @Test
  void jsonExportGivesTheRowsOfThePExport() {
    CollectingSink json = parse("sacct.json", UTC, JSON);

    assertEquals(List.of(), json.rejected);
    assertEquals(jsonJobsAndSteps(), json.accepted);
    assertEquals(sorted(rows(parse("sacct-P.txt", UTC), false)), sorted(rows(json, false)));
  }

  @Test
  void jsonExportIsDetectedAsSlurmJson() {
    List<String> head = lines("sacct.json").subList(0, FormatDetector.HEAD_LINES);

    assertEquals(SlurmJsonParser.FORMAT, FormatDetector.detect("sacct.json", head, UTC).parser().format());
  }

  @Test
  void jsonLinesAreCountedOnce() {
    CollectingSink json = parse("sacct.json", UTC, JSON);

    assertEquals(lines("sacct.json").size(), json.accepted + json.rejected.size() + json.ignored);
  }

  // ------------------------------------------------------------------ GPU-seconds

  @Test
  void gpuSecondsPerAccountEqualAllocTresGpusTimesElapsedRawInEveryExport() {
    Map<String, Long> expected = gpuSecondsFromTheUnitSeparatorExport();
    assertTrue(expected.get("atlas") > 0 && expected.get("beta") > 0, expected.toString());

    List<String> columns = List.of(firstLine("sacct-P.txt").split("\\|"));
    assertEquals(expected, gpuSeconds(parse("sacct-P.txt", UTC)), "-P");
    assertEquals(expected, gpuSeconds(parse("sacct-P-noheader.txt", UTC.withSacctColumns(columns))), "--noheader");
    assertEquals(expected, gpuSeconds(parse("sacct-P-X.txt", UTC)), "-X");
    assertEquals(expected, gpuSeconds(parse("sacct-P-format-ALL.txt", UTC)), "--format=ALL");
    assertEquals(expected, gpuSeconds(parse("sacct.json", UTC, JSON)), "--json");
  }

  /**
   * The test's own reading, independent of the parsers: the \x1f export split on its delimiter (a
   * record whose comment holds a line break is joined until it has its fields), job lines only (no
   * step), GPUs from {@code gres/gpu=N} in AllocTRES times ElapsedRaw.
   */
  private static Map<String, Long> gpuSecondsFromTheUnitSeparatorExport() {
    List<String> lines = lines("sacct-unit-separator.txt");
    List<String> columns = List.of(lines.get(0).split(US, -1));
    int id = columns.indexOf("JobID");
    int account = columns.indexOf("Account");
    int tres = columns.indexOf("AllocTRES");
    int elapsed = columns.indexOf("ElapsedRaw");
    Pattern gpus = Pattern.compile("(^|,)gres/gpu=([0-9]+)");
    Map<String, Long> sums = new TreeMap<>();
    String record = null;
    List<String> records = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      record = record == null ? line : record + "\n" + line;
      if (record.split(US, -1).length >= columns.size()) {
        records.add(record);
        record = null;
      }
    }
    for (String r : records) {
      String[] f = r.split(US, -1);
      if (f[id].contains(".")) {
        continue;
      }
      Matcher m = gpus.matcher(f[tres]);
      long g = m.find() ? Long.parseLong(m.group(2)) : 0;
      sums.merge(f[account], g * Long.parseLong(f[elapsed]), Long::sum);
    }
    return sums;
  }

  private static Map<String, Long> gpuSeconds(CollectingSink sink) {
    Map<String, Long> sums = new TreeMap<>();
    for (int i = 0; i < sink.rows.size(); i++) {
      if (sink.get(i, Allocations.STEP_ID) != null) {
        continue;
      }
      Integer g = (Integer) sink.get(i, Allocations.GPU_COUNT);
      Long s = (Long) sink.get(i, Allocations.ELAPSED_S);
      sums.merge((String) sink.get(i, Allocations.ACCOUNT), (g == null ? 0 : g) * (s == null ? 0 : s), Long::sum);
    }
    return sums;
  }

  // ------------------------------------------------------------------ helpers

  /** Jobs and steps in the JSON export, counted by the test from a tree of the whole (small) document. */
  private static long jsonJobsAndSteps() {
    try {
      JsonNode doc = new ObjectMapper().readTree(fixture("sacct.json").toFile());
      long n = 0;
      for (JsonNode job : doc.path("jobs")) {
        n += 1 + job.path("steps").size();
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertSameRows(CollectingSink expected, CollectingSink actual) {
    assertEquals(rows(expected, false), rows(actual, false));
  }

  /** Every row as text, in file order; only job rows (no step) when asked. */
  private static List<String> rows(CollectingSink sink, boolean jobsOnly) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < sink.rows.size(); i++) {
      if (jobsOnly && sink.get(i, Allocations.STEP_ID) != null) {
        continue;
      }
      out.add(Arrays.toString(sink.rows.get(i)));
    }
    return out;
  }

  private static List<String> sorted(List<String> rows) {
    List<String> s = new ArrayList<>(rows);
    s.sort(null);
    return s;
  }

  private static int rowOf(CollectingSink sink, String jobId) {
    for (int i = 0; i < sink.rows.size(); i++) {
      if (jobId.equals(sink.get(i, Allocations.JOB_ID))) {
        return i;
      }
    }
    throw new AssertionError("no row for job " + jobId);
  }

  private static long lineOf(String name, String prefix) {
    List<String> lines = lines(name);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i + 1;
      }
    }
    throw new AssertionError("no line starting " + prefix);
  }

  private static CollectingSink parse(String name, IngestParams params) {
    return parse(name, params, SACCT);
  }

  private static CollectingSink parse(String name, IngestParams params, FormatParser parser) {
    CollectingSink sink = CollectingSink.parse(parser, fixture(name), params);
    assertFalse(sink.accepted == 0 && sink.rejected.isEmpty(), name + " read nothing");
    return sink;
  }

  private static String firstLine(String name) {
    return lines(name).get(0);
  }

  private static List<String> lines(String name) {
    try {
      return Files.readAllLines(fixture(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path fixture(String name) {
    try {
      return Path.of(RealSlurmExportsTest.class.getResource("/real-slurm/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
