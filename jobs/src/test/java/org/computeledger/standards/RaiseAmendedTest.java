package org.computeledger.standards;

import static org.computeledger.SparkTestBase.assertRelClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.computeledger.attribute.Registry;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.attribute.Registry.Status;
import org.computeledger.standards.StandardTotals.TotalRow;
import org.junit.jupiter.api.Test;

/**
 * New York RAISE as amended by S.8828 (2026) against the 2025 text, on the same ledger: one model
 * pre-trained with 6e25 FLOP and fine-tuned with 5e25 FLOP, $50M at market prices in all.
 */
class RaiseAmendedTest {
  static final String PROJECT = """
      projects:
        - id: m
          development_start: 2026-01-01
          precision: bf16
          branches:
            - { id: pt, activity: pretraining, match: { slurm: { wckey: pt } } }
            - { id: ft, activity: fine-tuning, match: { slurm: { wckey: ft } } }
      """;
  static final Registry NO_REVENUE = Registry.parse("developer: L\n" + PROJECT, "r.yaml");

  static Registry withRevenue(String amount) {
    return Registry.parse("developer: L\ndeveloper_revenue: { annual_gross: " + amount
        + ", currency: USD, year: 2026 }\n" + PROJECT, "r.yaml");
  }

  static final List<LineItem> ITEMS = List.of(
      new LineItem("m/pt", "m", "pt", Activity.PRETRAINING, Status.KEPT, false, null, 6e25, 3e25, 9e25, 0.0,
          new BigDecimal("30000000"), new BigDecimal("30000000"), "USD"),
      new LineItem("m/ft", "m", "ft", Activity.FINE_TUNING, Status.KEPT, false, null, 5e25, 2.5e25, 7.5e25, 0.0,
          new BigDecimal("20000000"), new BigDecimal("20000000"), "USD"));

  static TotalRow total(Standard s, Registry r) {
    return StandardTotals.apply(s, List.of(StandardVersionsTest.RAISE_2025, StandardVersionsTest.RAISE_2026), r,
        ITEMS, StandardTotalsTest.RUN, LocalDate.of(2027, 1, 1)).totals().get(0);
  }

  @Test
  void amendedRaiseCountsFineTuningWithTheOriginalTrainingAndHasNoCostCondition() {
    TotalRow t = total(StandardVersionsTest.RAISE_2026, NO_REVENUE);
    assertRelClose(6e25 + 5e25, t.flop(), 1e-12);
    assertTrue(t.crossesCompute());
    assertNull(t.costThresholdId());
    assertEquals(Boolean.TRUE, t.inScope());
  }

  @Test
  void the2025TextLeavesTheSameModelOutForItsCostBelow100Million() {
    TotalRow t = total(StandardVersionsTest.RAISE_2025, NO_REVENUE);
    assertRelClose(1.1e26, t.flop(), 1e-12);
    assertTrue(t.crossesCompute());
    assertEquals(Boolean.FALSE, t.crossesCost()); // $50M market cost
    assertEquals(Boolean.FALSE, t.inScope());
  }

  @Test
  void largeFrontierDeveloperIsReportedFromTheRegistrysRevenue() {
    TotalRow big = total(StandardVersionsTest.RAISE_2026, withRevenue("750000000"));
    assertEquals(Boolean.TRUE, big.largeDeveloper());
    assertTrue(big.largeDeveloperNote().contains("750000000") && big.largeDeveloperNote().contains("500000000"),
        big.largeDeveloperNote());
    assertEquals(Boolean.FALSE, total(StandardVersionsTest.RAISE_2026, withRevenue("500000000")).largeDeveloper());
  }

  @Test
  void largeFrontierDeveloperIsUnknownWithoutRevenueAndAbsentFromThe2025Text() {
    TotalRow unknown = total(StandardVersionsTest.RAISE_2026, NO_REVENUE);
    assertNull(unknown.largeDeveloper());
    assertTrue(unknown.largeDeveloperNote().contains("developer_revenue"), unknown.largeDeveloperNote());
    TotalRow old = total(StandardVersionsTest.RAISE_2025, withRevenue("750000000"));
    assertNull(old.largeDeveloper());
    assertNull(old.largeDeveloperNote());
  }

  @Test
  void eachRowSaysWhichVersionWasInForceOnTheReportDate() {
    List<Standard> both = List.of(StandardVersionsTest.RAISE_2025, StandardVersionsTest.RAISE_2026);
    for (LocalDate d : List.of(LocalDate.of(2026, 12, 31), LocalDate.of(2027, 1, 1))) {
      List<TotalRow> rows = StandardTotals.applyAll(both, NO_REVENUE, ITEMS, StandardTotalsTest.RUN, d).totals();
      boolean after = d.getYear() == 2027;
      assertEquals(after ? "superseded" : "in-force", rows.get(0).versionStatus());
      assertEquals(after ? "in-force" : "not-yet-in-force", rows.get(1).versionStatus());
      assertEquals(after, rows.get(0).historical());
      // the finding that applies on the date: out of scope under the 2025 text, in scope once amended
      TotalRow inForce = rows.stream().filter(r -> r.versionStatus().equals("in-force")).findFirst().orElseThrow();
      assertEquals(after, inForce.inScope());
    }
  }

  @Test
  void aSupersededVersionWarnsOfNoOverdueReviewSinceItsSuccessorIsApplied() {
    List<Standard> both = List.of(StandardVersionsTest.RAISE_2025, StandardVersionsTest.RAISE_2026);
    // the 2025 text was due for review on 2026-06-12
    TotalRow before = StandardTotals.applyAll(both, NO_REVENUE, ITEMS, StandardTotalsTest.RUN,
        LocalDate.of(2026, 12, 31)).totals().get(0);
    assertTrue(before.reviewOverdue());
    TotalRow after = StandardTotals.applyAll(both, NO_REVENUE, ITEMS, StandardTotalsTest.RUN,
        LocalDate.of(2027, 1, 1)).totals().get(0);
    assertEquals(false, after.reviewOverdue());
    assertNull(after.reviewWarning());
  }

  @Test
  void theMethodologySummaryMarksOnlyTheVersionInForceOverdueForReview() {
    List<Standard> both = List.of(StandardVersionsTest.RAISE_2025, StandardVersionsTest.RAISE_2026);
    LocalDate after = LocalDate.of(2027, 1, 1);
    String md = StandardsReport.methodology(both,
        StandardTotals.applyAll(both, NO_REVENUE, ITEMS, StandardTotalsTest.RUN, after), after);
    String row2025 = md.lines().filter(l -> l.startsWith("| ny-raise | " + StandardVersionsTest.RAISE_2025.version()))
        .findFirst().orElseThrow();
    // the 2025 text's review date (2026-06-12) has passed, but its successor is applied beside it
    assertTrue(row2025.contains("superseded"), row2025);
    assertTrue(!row2025.contains("overdue"), row2025);
    LocalDate before = LocalDate.of(2026, 12, 31);
    String mdBefore = StandardsReport.methodology(both,
        StandardTotals.applyAll(both, NO_REVENUE, ITEMS, StandardTotalsTest.RUN, before), before);
    String inForce = mdBefore.lines()
        .filter(l -> l.startsWith("| ny-raise | " + StandardVersionsTest.RAISE_2025.version())).findFirst().orElseThrow();
    assertTrue(inForce.contains("in-force **review overdue**"), inForce);
  }
}
