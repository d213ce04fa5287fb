package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.computeledger.common.LedgerException;
import org.computeledger.ingest.BadFraction.Count;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;

/** --max-bad-fraction: the share of quarantined records per input kind, and the one line that says so. */
class BadFractionTest {
  @Test
  void aKindAboveTheLimitFailsWithItsShareAndWorstFilesFirst() {
    List<Count> counts = List.of(
        new Count("telemetry/a.prom", Table.GPU_SAMPLES, 1000, 10),
        new Count("telemetry/b.prom.gz", Table.GPU_SAMPLES, 1000, 40),
        new Count("telemetry/c.prom", Table.GPU_SAMPLES, 1000, 0));
    LedgerException e = assertThrows(LedgerException.class, () -> BadFraction.check(counts, 0.01));
    assertEquals("1.67 % of telemetry records were quarantined (50 of 3,000), more than --max-bad-fraction 0.01"
        + " allows; worst files: telemetry/b.prom.gz 40 of 1,000, telemetry/a.prom 10 of 1,000. Nothing was"
        + " written; rerun with --max-bad-fraction 1 to keep them in quarantine/ and go on", e.getMessage());
  }

  @Test
  void theShareIsTakenPerKindSoManyGoodSamplesCannotHideBadSchedulerRecords() {
    List<Count> counts = List.of(
        new Count("telemetry/a.prom", Table.GPU_SAMPLES, 1_000_000, 0),
        new Count("scheduler/sacct.txt", Table.ALLOCATIONS, 100, 2));
    LedgerException e = assertThrows(LedgerException.class, () -> BadFraction.check(counts, 0.01));
    assertEquals(true, e.getMessage().startsWith("2.00 % of scheduler records were quarantined (2 of 100)"),
        e.getMessage());
  }

  @Test
  void aShareAtTheLimitPassesAndOneNeverStops() {
    List<Count> counts = List.of(new Count("billing/focus.csv", Table.CHARGES, 100, 1),
        new Count("telemetry/flop.csv", Table.FLOP_COUNTS, 10, 10));
    assertThrows(LedgerException.class, () -> BadFraction.check(counts, 0.01));
    assertDoesNotThrow(() -> BadFraction.check(counts.subList(0, 1), 0.01));
    assertDoesNotThrow(() -> BadFraction.check(counts, 1));
  }

  @Test
  void theLimitMustBeAShare() {
    assertThrows(LedgerException.class, () -> BadFraction.parse(1.5));
    assertThrows(LedgerException.class, () -> BadFraction.parse(Double.NaN));
    assertEquals(0.01, BadFraction.parse(Double.parseDouble(BadFraction.DEFAULT)));
  }
}
