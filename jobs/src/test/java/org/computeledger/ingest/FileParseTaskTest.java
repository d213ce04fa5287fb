package org.computeledger.ingest;

import org.computeledger.RealSamples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parse task on damaged files of real formats: a gzip cut mid-write or garbage after its magic,
 * bytes that are not UTF-8, binary lines, lines and values too long to be data. Each is quarantined
 * with its reason, the rest of the file is read, and the file's counts add up.
 */
class FileParseTaskTest {
  private static final String PROM_GZ = "telemetry/dcgm/gpu001/2026-03-02.prom.gz";
  private static final String SMI = "telemetry/nvidia-smi/l40s01/2026-03.csv";
  private static final IngestParams PARAMS =
      IngestParams.defaults().withRunInstant(java.time.Instant.parse("2026-12-04T14:30:00Z"));

  @TempDir Path tmp;

  /** What the task returned for one file: accepted rows, quarantine rows and the summary. */
  static final class Parsed {
    final Table table;
    final StructType env;
    final List<Row> rows = new ArrayList<>();
    final List<Row> quarantine = new ArrayList<>();
    Row summary;

    Parsed(Table table) {
      this.table = table;
      this.env = Envelope.schema(table);
    }

    long count(String field) {
      return summary.getLong(env.fieldIndex(field));
    }

    String damage() {
      return summary.getString(env.fieldIndex(Envelope.DAMAGE));
    }

    String reason(int i) {
      return quarantine.get(i).getString(env.fieldIndex(Envelope.REASON));
    }

    String raw(int i) {
      return quarantine.get(i).getString(env.fieldIndex(Envelope.RAW));
    }

    long quarantineLine(int i) {
      return quarantine.get(i).getLong(table.index("source_line"));
    }

    long rowLine(Row r) {
      return r.getLong(table.index("source_line"));
    }

    /** Every line of the file is accepted, quarantined or ignored, once. */
    void assertCountsAddUp() {
      assertEquals(count(Envelope.LINES),
          count(Envelope.ACCEPTED) + count(Envelope.QUARANTINED) + count(Envelope.IGNORED), "lines");
      assertEquals(quarantine.size(), count(Envelope.QUARANTINED), "quarantine rows");
    }
  }

  static Parsed parse(Path file, String folder, FormatParser parser, IngestParams params) {
    FileParseTask task = new FileParseTask(parser.table(), params, Configuration::new);
    Parsed p = new Parsed(parser.table());
    Iterator<Row> it = task.call(RowFactory.create(file.toString(), file.getFileName().toString(), folder,
        parser.format()));
    int kind = p.env.fieldIndex(Envelope.KIND);
    while (it.hasNext()) {
      Row r = it.next();
      switch (r.getInt(kind)) {
        case Envelope.KIND_ROW -> p.rows.add(r);
        case Envelope.KIND_QUARANTINE -> p.quarantine.add(r);
        default -> p.summary = r;
      }
    }
    return p;
  }

  private static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, content);
    return p;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] b : parts) {
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  /** Source line → row text of every accepted row. */
  private static Map<Long, List<String>> byLine(Parsed p) {
    Map<Long, List<String>> m = new HashMap<>();
    for (Row r : p.rows) {
      m.computeIfAbsent(p.rowLine(r), k -> new ArrayList<>()).add(r.toString());
    }
    return m;
  }

  // ---------------------------------------------------------------- compressed files

  @Test
  void truncatedGzipKeepsItsCompleteRecordsAndIsOneDamageRecordNotAFailure() throws IOException {
    byte[] whole = bytes(CollectingSink.bundledSample(PROM_GZ));
    Path cut = write("2026-03-02.prom.gz", Arrays.copyOf(whole, whole.length * 3 / 5));
    Parsed full = parse(CollectingSink.bundledSample(PROM_GZ), "gpu001", new PrometheusParser(), PARAMS);
    Parsed part = parse(cut, "gpu001", new PrometheusParser(), PARAMS);

    assertNull(full.damage());
    assertTrue(part.damage().startsWith("gzip stream damaged at stored byte "), part.damage());
    assertTrue(part.damage().contains(" of " + whole.length * 3 / 5 + ": Unexpected end of ZLIB input stream"),
        part.damage());
    assertEquals(1, part.quarantine.size());
    assertTrue(part.reason(0).startsWith(part.damage() + "; the " + (part.quarantineLine(0) - 1)
        + " complete line(s) before it were read"), part.reason(0));
    // the damage record sits on the line after the last complete one
    assertEquals(part.count(Envelope.LINES), part.quarantineLine(0));
    part.assertCountsAddUp();
    // what was read is exactly what the intact file holds on those lines. A sample's lines are merged as
    // they are read (MergingSink), so a sample still open when the damage cut the file holds fewer of
    // its lines: each value it has is the intact one, and it lacks only metrics
    assertTrue(part.count(Envelope.ACCEPTED) > 1000, "accepted " + part.count(Envelope.ACCEPTED));
    Map<Long, Row> intact = new HashMap<>();
    full.rows.forEach(r -> intact.put(full.rowLine(r), r));
    int records = part.table.width() + java.util.Arrays.asList(Envelope.EXTRA).indexOf(Envelope.RECORDS);
    for (Row r : part.rows) {
      Row all = intact.get(part.rowLine(r));
      if (r.equals(all)) {
        continue;
      }
      assertTrue(r.getLong(records) < all.getLong(records), "line " + part.rowLine(r) + ": " + r);
      for (int i = 0; i < records; i++) {
        if (!r.isNullAt(i)) {
          assertEquals(all.get(i), r.get(i), "line " + part.rowLine(r) + " column " + i);
        }
      }
    }
  }

  @Test
  void partialLastLineOfACutGzipIsNeverParsedAsAValue() throws IOException {
    // a bare scrape dated by its comment: "...} 91" cut after the "9" would read as 9 %
    String scrape = "# scrape_time: 2026-03-02T10:00:00Z\n"
        + Files.readString(RealSamples.file("dcgm/cncf-k8s-ai-conformance_ericsson-ccd.prom"));
    int util = scrape.indexOf("DCGM_FI_DEV_GPU_UTIL{");
    int value = scrape.indexOf("} 91", util) + 3;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    GZIPOutputStream gz = new GZIPOutputStream(out, true);
    gz.write(utf8(scrape.substring(0, value)));
    gz.flush(); // what a writer killed mid-line leaves: a readable prefix, no trailer
    Path cut = write("t4.prom.gz", out.toByteArray());

    Parsed p = parse(cut, "dcgm", new PrometheusParser(), PARAMS);

    int utilIndex = p.table.index(GpuSamples.GPU_UTIL);
    assertTrue(p.rows.stream().allMatch(r -> r.isNullAt(utilIndex)), "no utilization read from a partial line");
    assertEquals(1, p.quarantine.size());
    String partial = scrape.substring(scrape.lastIndexOf('\n', value) + 1, value);
    assertEquals(partial, p.raw(0));
    assertTrue(p.reason(0).endsWith("the " + utf8(partial).length + " byte(s) after the last line break were not"),
        p.reason(0));
    p.assertCountsAddUp();
  }

  @Test
  void gzipMagicFollowedByGarbageIsOneDamageRecord() throws IOException {
    byte[] garbage = new byte[4096];
    new java.util.Random(11).nextBytes(garbage);
    garbage[0] = 0x1f;
    garbage[1] = (byte) 0x8b;
    garbage[2] = 8; // deflate, so the header is read and the body fails
    garbage[3] = 0;
    Path p = write("broken.prom.gz", garbage);

    Parsed parsed = parse(p, "dcgm", Formats.UNREADABLE, PARAMS);

    assertEquals(0, parsed.count(Envelope.ACCEPTED));
    assertEquals(1, parsed.quarantine.size());
    assertEquals(1, parsed.quarantineLine(0));
    assertTrue(parsed.damage().startsWith("gzip stream damaged at stored byte "), parsed.damage());
    assertEquals(4096, parsed.count(Envelope.BYTES));
    parsed.assertCountsAddUp();
  }

  // ---------------------------------------------------------------- bytes that are no text

  private static final String HABROK = "slurm/habrok-sacct-with-header.txt";

  /** The Hábrók file with the job name of its line {@code n} (1-based) replaced by {@code name}. */
  private static byte[] habrokWithJobName(int n, byte[] name) throws IOException {
    List<String> lines = Files.readAllLines(RealSamples.file(HABROK), StandardCharsets.UTF_8);
    String line = lines.get(n - 1);
    String[] f = line.split("☃", -1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < lines.size(); i++) {
      if (i == n - 1) {
        int at = line.indexOf("☃" + f[1] + "☃") + 1;
        out.writeBytes(utf8(line.substring(0, at)));
        out.writeBytes(name);
        out.writeBytes(utf8(line.substring(at + f[1].length())));
      } else {
        out.writeBytes(utf8(lines.get(i)));
      }
      out.write('\n');
    }
    return out.toByteArray();
  }

  @Test
  void lineWithBytesThatAreNotUtf8IsQuarantinedNotDecodedWithReplacements() throws IOException {
    Parsed clean = parse(RealSamples.file(HABROK), "slurm", new SacctParser(), PARAMS);
    // "café" written in Latin-1 by a job script: the byte E9 is no UTF-8
    Path p = write("sacct.txt", habrokWithJobName(5, new byte[] {'c', 'a', 'f', (byte) 0xE9}));

    Parsed parsed = parse(p, "slurm", new SacctParser(), PARAMS);

    assertEquals(1, parsed.quarantine.size());
    assertEquals(5, parsed.quarantineLine(0));
    assertTrue(parsed.reason(0).matches("not UTF-8: bytes that do not decode at column \\d+ \\(marked U\\+FDD0 in raw\\)"),
        parsed.reason(0));
    assertTrue(parsed.raw(0).contains("caf\uFDD0"), parsed.raw(0));
    assertEquals(clean.count(Envelope.ACCEPTED) - 1, parsed.count(Envelope.ACCEPTED));
    assertFalse(parsed.rows.stream().anyMatch(r -> parsed.rowLine(r) == 5));
    parsed.assertCountsAddUp();
  }

  @Test
  void aWellFormedReplacementCharacterIsDataLikeAnyOther() throws IOException {
    // U+FFFD written as UTF-8 is a character a job name may hold (sacct prints what it stored)
    Path p = write("sacct.txt", habrokWithJobName(5, utf8("caf\uFFFD")));

    Parsed parsed = parse(p, "slurm", new SacctParser(), PARAMS);

    assertEquals(List.of(), parsed.quarantine);
    int name = parsed.table.index(Allocations.JOB_NAME);
    assertTrue(parsed.rows.stream().anyMatch(r -> "caf\uFFFD".equals(r.getString(name))));
  }

  @Test
  void binaryGarbageLinesInTelemetryAreQuarantinedAndTheRestIsRead() throws IOException {
    byte[] log = bytes(CollectingSink.bundledSample(SMI));
    Parsed clean = parse(CollectingSink.bundledSample(SMI), "l40s01", new NvidiaSmiParser(), PARAMS);
    int secondLine = indexOfNth(log, (byte) '\n', 2) + 1;
    byte[] control = {0, 0, 0, 'G', 'P', 'U', 0x1b, '[', '0', 'm', 0x7f, '\n'};
    byte[] high = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, 'x', (byte) 0x80, '\n'};
    Path p = write("2026-03.csv", concat(Arrays.copyOf(log, secondLine), control, high,
        Arrays.copyOfRange(log, secondLine, log.length)));

    Parsed parsed = parse(p, "l40s01", new NvidiaSmiParser(), PARAMS);

    assertEquals(2, parsed.quarantine.size());
    assertEquals(3, parsed.quarantineLine(0));
    assertEquals("binary data: control character at column 1 (marked U+FDD1 in raw)", parsed.reason(0));
    assertEquals("not UTF-8: bytes that do not decode at column 1 (marked U+FDD0 in raw)", parsed.reason(1));
    assertEquals(clean.count(Envelope.ACCEPTED), parsed.count(Envelope.ACCEPTED));
    parsed.assertCountsAddUp();
  }

  // ---------------------------------------------------------------- plain files cut mid-line

  @Test
  void lastLineOfAPlainTelemetryFileWithoutLineBreakIsQuarantinedNotReadAsAValue() throws IOException {
    // an nvidia-smi log cut mid-write: "..., 91 %" cut after the "9" would read as 9 %
    byte[] log = bytes(CollectingSink.bundledSample(SMI));
    Parsed clean = parse(CollectingSink.bundledSample(SMI), "l40s01", new NvidiaSmiParser(), PARAMS);
    int lastBreak = indexOfNth(log, (byte) '\n', 5);
    byte[] cutLog = Arrays.copyOf(log, lastBreak + 30);
    Path p = write("2026-03.csv", cutLog);

    Parsed parsed = parse(p, "l40s01", new NvidiaSmiParser(), PARAMS);

    assertEquals(1, parsed.quarantine.size());
    assertEquals(6, parsed.quarantineLine(0));
    assertTrue(parsed.reason(0).startsWith("the file ends inside this line"), parsed.reason(0));
    assertEquals(new String(Arrays.copyOfRange(cutLog, lastBreak + 1, cutLog.length), StandardCharsets.UTF_8)
        + Plausibility.UNTERMINATED, parsed.raw(0));
    // the four complete records before it are read as in the whole file
    assertEquals(4, parsed.count(Envelope.ACCEPTED));
    assertEquals(clean.rows.subList(0, 4), parsed.rows);
    parsed.assertCountsAddUp();
  }

  @Test
  void lastLineOfAPlainScrapeWithoutLineBreakIsQuarantined() throws IOException {
    byte[] log = gunzip(bytes(CollectingSink.bundledSample(PROM_GZ)));
    Path p = write("2026-03-02.prom", Arrays.copyOf(log, log.length - 4));

    Parsed parsed = parse(p, "gpu001", new PrometheusParser(), PARAMS);

    assertEquals(1, parsed.quarantine.size());
    assertTrue(parsed.reason(0).startsWith("the file ends inside this line"), parsed.reason(0));
    parsed.assertCountsAddUp();
  }

  @Test
  void aBillWhoseLastRecordHasNoLineBreakIsReadWhole() throws IOException {
    // RFC 4180 §2.2: the last record of a CSV file may or may not end with a line break
    Path whole = CollectingSink.bundledSample("billing/focus-2026-03.csv");
    byte[] bill = bytes(whole);
    assertEquals('\n', bill[bill.length - 1]);
    Parsed clean = parse(whole, "billing", new FocusParser(), PARAMS);
    Path p = write("focus-2026-03.csv", Arrays.copyOf(bill, bill.length - 1));

    Parsed parsed = parse(p, "billing", new FocusParser(), PARAMS);

    assertEquals(0, parsed.quarantine.size());
    assertEquals(clean.rows, parsed.rows);
    parsed.assertCountsAddUp();
  }

  private static int indexOfNth(byte[] b, byte x, int n) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x && --n == 0) {
        return i;
      }
    }
    throw new AssertionError("fewer than " + n + " line breaks");
  }

  // ---------------------------------------------------------------- lines and values too long

  @Test
  void lineOfSeveralMegabytesWithoutLineBreakIsCutQuarantinedAndKeptShort() throws IOException {
    byte[] log = gunzip(bytes(CollectingSink.bundledSample(PROM_GZ)));
    byte[] huge = new byte[5 << 20];
    Arrays.fill(huge, (byte) 'x');
    // the tail of a file whose writer lost its line breaks: several MB, no newline, at the end
    Path p = write("2026-03-02.prom", concat(log, huge));
    Parsed clean = parse(CollectingSink.bundledSample(PROM_GZ), "gpu001", new PrometheusParser(), PARAMS);

    Parsed parsed = parse(p, "gpu001", new PrometheusParser(), PARAMS);

    assertEquals(1, parsed.quarantine.size());
    assertEquals("line longer than 65536 characters (the limit); read up to the limit only", parsed.reason(0));
    assertEquals("x".repeat(4096) + " [cut: 65537 characters in all, the first 4096 kept]", parsed.raw(0));
    assertEquals(clean.count(Envelope.ACCEPTED), parsed.count(Envelope.ACCEPTED));
    parsed.assertCountsAddUp();
  }

  @Test
  void jobNameOfOneMegabyteIsQuarantinedAsALineTooLong() throws IOException {
    Path p = write("sacct.txt", habrokWithJobName(5, utf8("j".repeat(1 << 20))));

    Parsed parsed = parse(p, "slurm", new SacctParser(), PARAMS);

    assertEquals(1, parsed.quarantine.size());
    assertEquals(5, parsed.quarantineLine(0));
    assertEquals("line longer than 65536 characters (the limit); read up to the limit only", parsed.reason(0));
    assertTrue(parsed.raw(0).length() < Plausibility.MAX_RAW_CHARS + 100);
    parsed.assertCountsAddUp();
  }

  @Test
  void prometheusLabelOf200KilobytesIsQuarantined() throws IOException {
    String log = new String(gunzip(bytes(CollectingSink.bundledSample(PROM_GZ))), StandardCharsets.UTF_8);
    int end = log.indexOf('\n');
    String first = log.substring(0, end);
    String huge = first.replace("job=\"dcgm\"", "job=\"" + "d".repeat(200 * 1024) + "\"");
    Path p = write("2026-03-02.prom", utf8(huge + "\n" + log));

    Parsed parsed = parse(p, "gpu001", new PrometheusParser(), PARAMS);

    assertEquals(1, parsed.quarantine.size());
    assertEquals(1, parsed.quarantineLine(0));
    assertTrue(parsed.reason(0).startsWith("line longer than 65536 characters"), parsed.reason(0));
    parsed.assertCountsAddUp();
  }

  @Test
  void podLabelOf200KilobytesIsQuarantinedAndTheOtherPodsAreRead() throws IOException {
    String pods = Files.readString(Path.of("src/test/resources/fixtures/k8s/pods.json"));
    String huge = pods.replace("\"branch\": \"pretrain-main\"", "\"branch\": \"" + "b".repeat(200 * 1024) + "\"");
    Path p = write("pods.json", utf8(huge));

    Parsed parsed = parse(p, "k8s", new KubectlPodsParser(), PARAMS);

    assertEquals(1, parsed.quarantine.size());
    assertEquals("pod atlas/atlas-pretrain-0-q7m2d: field metadata.labels.branch: 204800 characters, more than the"
        + " limit of 4096", parsed.reason(0));
    assertTrue(parsed.raw(0).endsWith("characters in all, the first 4096 kept]"), "raw cut");
    assertEquals(2, parsed.count(Envelope.ACCEPTED));
    parsed.assertCountsAddUp();
  }
}
