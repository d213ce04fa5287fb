package org.computeledger.standards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Assertions;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;

/**
 * The standards stage's outputs: both tables hold to their declared schemas (with the columns
 * PRODUCT.md §8 names), the methodology has a section per standard, and the standards a run applies
 * are the ones asked for.
 */
class StandardsReportTest extends SparkTestBase {
  static StandardTotals.Result result() {
    return StandardTotals.applyAll(Standard.builtIns(), StandardTotalsTest.LAB, StandardTotalsTest.ITEMS,
        StandardTotalsTest.RUN, LocalDate.of(2027, 1, 1));
  }

  @Test
  void standardTotalsHasTheDeclaredSchemaAndTheContractColumns() {
    Dataset<Row> t = StandardsReport.totals(spark(), result().totals());
    assertEquals(Table.STANDARD_TOTALS.schema(), t.schema());
    Assertions.assertTrue(Arrays.asList(t.columns()).containsAll(List.of("standard_id", "standard_version", "project", "flop",
        "flop_low", "flop_high", "cost", "currency", "compute_threshold_flop", "cost_threshold", "crosses_compute",
        "crosses_cost", "may_cross_compute", "review_overdue", "historical")));
    assertEquals(6 * 4, t.count());
  }

  @Test
  void treatmentHasTheDeclaredSchema() {
    Dataset<Row> t = StandardsReport.treatment(spark(), result().treatment());
    assertEquals(Table.TREATMENT.schema(), t.schema());
    assertEquals(result().treatment().size(), t.count());
  }

  @Test
  void methodologyHasOneSectionPerStandardWithItsWarnings() {
    String md = StandardsReport.methodology(Standard.builtIns(), result(), LocalDate.of(2027, 1, 1));
    for (Standard s : Standard.builtIns()) {
      Assertions.assertTrue(md.contains("### " + s.title() + " (" + s.id() + " " + s.version() + ")"), s.id());
    }
    Assertions.assertTrue(md.contains("**Historical:**"));
    Assertions.assertTrue(md.contains("was due for review on 2026-08-02"));
    Assertions.assertTrue(md.contains("excluded `teacher/pretrain`"));
  }

  @Test
  void sideBySideExplainsPaperMinusEuByTheItemsEachCountsAlone() {
    String md = StandardsReport.methodology(Standard.builtIns(), result(), LocalDate.of(2027, 1, 1));
    String line = md.lines().filter(l -> l.startsWith("- `atlas`: paper-principles minus eu-ai-act")).findFirst()
        .orElseThrow();
    // 6e24 + 2e22 + 3e21 - (4e21 + 8e23): the EU counts base-old (own released weights), see StandardTotalsTest
    Assertions.assertTrue(line.contains("= 5.2190e+24 FLOP"), line);
    Assertions.assertTrue(line.contains("counted only by eu-ai-act: `atlas/refusal` 4.0000e+21"), line);
    Assertions.assertTrue(line.contains("`teacher/pretrain` 6.0000e+24") && line.contains("`atlas/evals` 3.0000e+21"),
        line);
  }

  @Test
  void noStandardNamedMeansEveryBuiltInAndUnknownIdIsAnError() {
    List<Standard> all = Standard.builtIns();
    assertEquals(all, Standard.select(all, List.of(), List.of()));
    assertEquals(List.of("eu-ai-act"), Standard.select(all, List.of("eu-ai-act"), List.of()).stream()
        .map(Standard::id).toList());
    String m = assertThrows(StandardException.class, () -> Standard.select(all, List.of("eu"), List.of()))
        .getMessage();
    Assertions.assertTrue(m.startsWith("--standard: unknown standard 'eu'; built-in: paper-principles, eu-ai-act"), m);
  }
}
