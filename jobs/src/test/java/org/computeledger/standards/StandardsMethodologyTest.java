package org.computeledger.standards;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** methodology.md says which version of each standard applied and why, and lists every interpretation. */
class StandardsMethodologyTest {
  static String md(LocalDate date) {
    List<Standard> all = Standard.builtIns();
    return StandardsReport.methodology(all, StandardTotals.applyAll(all, StandardTotalsTest.LAB,
        StandardTotalsTest.ITEMS, StandardTotalsTest.RUN, date), date);
  }

  @Test
  void saysWhichRaiseVersionAppliedOnTheReportDate() {
    String before = md(LocalDate.of(2026, 12, 6));
    assertTrue(before.contains("**in-force** — ny-raise S6953-B-2025 is in force on the report date 2026-12-06"),
        before);
    assertTrue(before.contains("**not-yet-in-force** — ny-raise S8828-2026 takes effect on 2027-01-01"), before);
    String after = md(LocalDate.of(2027, 1, 1));
    assertTrue(after.contains("**superseded** — ny-raise S6953-B-2025 was superseded on 2027-01-01 by ny-raise"
        + " S8828-2026"), after);
  }

  @Test
  void listsEveryInterpretationOfEachFile() {
    String text = md(LocalDate.of(2026, 12, 6));
    for (Standard s : Standard.builtIns()) {
      for (String i : StandardsMethodology.interpretations(s)) {
        assertTrue(text.contains("- " + i), s.label() + ": " + i);
      }
    }
    assertTrue(text.contains("*no compute-cost condition*"), text);
    assertTrue(text.contains("*open resources of others*"), text);
  }

  @Test
  void givesEachTotalToTwoSignificantFiguresAndTheEstimationGuidance() {
    String text = md(LocalDate.of(2026, 12, 6));
    // EU atlas: 1e24 + 4e21 + 5e21 + 7e23 + 8e23 = 2.509e24
    assertTrue(text.contains("`atlas`: total 2.5e+24 FLOP (two significant figures)"), text);
    assertTrue(text.contains("C = N · L · H · U") && text.contains("6 · P · D") && text.contains("30 %"), text);
  }

  @Test
  void eachLineItemWithAnArchitectureShowsItsCheck() {
    StandardTotals.Result r = StandardTotals.applyAll(List.of(StandardTotalsTest.builtIn("ca-sb53")),
        ArchitectureCheckTest.REG, List.of(ArchitectureCheckTest.item("ft", org.computeledger.attribute.Registry.Activity
            .FINE_TUNING, 3e20)), StandardTotalsTest.RUN, StandardTotalsTest.RUN_DATE);
    String text = StandardsReport.methodology(List.of(StandardTotalsTest.builtIn("ca-sb53")), r,
        StandardTotalsTest.RUN_DATE);
    // 6 × 1e9 × 1e10 × 3 = 1.8e20 against 3e20
    assertTrue(text.contains("counted `m/ft` (3.0000e+20 FLOP) [6·N·D 1.8000e+20 FLOP: disagrees]"), text);
  }

  @Test
  void sideBySideNamesEachVersionWhenAStandardHasSeveral() {
    String text = md(LocalDate.of(2026, 12, 6));
    assertTrue(text.contains("| ny-raise S6953-B-2025 | ny-raise S8828-2026 |"), text);
    assertTrue(text.contains("| eu-ai-act | ca-sb53 |"), text);
  }
}
