package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.computeledger.SparkTestBase;
import org.computeledger.common.LedgerException;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.ingest.IngestParams;
import org.computeledger.report.Manifest;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run or ingest with too many quarantined records stops before committing: the previous output stays. */
class MaxBadFractionTest extends SparkTestBase {
  static final String HEADER = "JobID|JobIDRaw|Cluster|Partition|Account|User|WCKey|Comment|JobName|State|Submit"
      + "|Start|End|Elapsed|NNodes|NodeList|AllocTRES\n";

  @TempDir Path tmp;

  static String job(String id) {
    return id + "|" + id + "|lumen|h100|atlas|mchen|pretrain||train|COMPLETED|2026-03-02T00:00:00"
        + "|2026-03-02T00:10:00|2026-03-02T01:10:00|01:00:00|1|gpu001|billing=96,cpu=96,gres/gpu=8,node=1\n";
  }

  private Path input(String name, String sacct) throws IOException {
    Path in = tmp.resolve(name);
    Files.createDirectories(in.resolve("scheduler"));
    Files.writeString(in.resolve("scheduler/sacct.txt"), sacct);
    return in;
  }

  private Path previousOutput() throws IOException {
    Path out = tmp.resolve("out");
    IngestCommand.ingestInto(spark(), input("good", HEADER + job("1") + job("2")).toString(), out.toString(),
        IngestParams.defaults(), "ingest", 0.01);
    return out;
  }

  private Path badInput() throws IOException {
    // two of four records have no valid job id
    return input("bad", HEADER + job("1") + job("x?") + job("3") + job("y?"));
  }

  @Test
  void anIngestAboveTheLimitFailsBeforeCommittingAndThePreviousOutputStays() throws IOException {
    Path out = previousOutput();
    byte[] before = Files.readAllBytes(out.resolve(Manifest.FILE));
    LedgerException e = assertThrows(LedgerException.class, () -> IngestCommand.ingestInto(spark(),
        badInput().toString(), out.toString(), IngestParams.defaults(), "ingest", 0.01));
    Assertions.assertTrue(e.getMessage().startsWith("50.00 % of scheduler records were quarantined (2 of 4), more than"
        + " --max-bad-fraction 0.01 allows; worst files: scheduler/sacct.txt 2 of 4."), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(out.resolve(Manifest.FILE)));
    assertEquals(List.of("out"), leftovers());
  }

  @Test
  void aRunAboveTheLimitFailsBeforeWritingTheReport() throws IOException {
    Path out = previousOutput();
    byte[] before = Files.readAllBytes(out.resolve(Manifest.FILE));
    LedgerException e = assertThrows(LedgerException.class, () -> RunCommand.run(spark(), badInput().toString(),
        out.toString(), IngestParams.defaults(), EstimateParams.defaults(), List.of(), LocalDate.of(2026, 3, 5), 0.01));
    Assertions.assertTrue(e.getMessage().contains("of scheduler records were quarantined"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(out.resolve(Manifest.FILE)));
  }

  @Test
  void aRunAtTheLimitOfOneGoesOnWithTheSameInput() throws IOException {
    IngestCommand.Ingested r = IngestCommand.ingestInto(spark(), badInput().toString(), tmp.resolve("kept").toString(),
        IngestParams.defaults(), "ingest", 1.0);
    Assertions.assertTrue(r.summary().contains("2 quarantined"), r.summary());
  }

  private List<String> leftovers() throws IOException {
    try (var s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("out") || n.startsWith(".out")).toList();
    }
  }
}
