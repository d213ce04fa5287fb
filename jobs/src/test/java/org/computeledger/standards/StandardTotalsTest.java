package org.computeledger.standards;

import static org.computeledger.SparkTestBase.assertRelClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.computeledger.attribute.Registry;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.attribute.Registry.Status;
import org.computeledger.attribute.RegistryException;
import org.computeledger.standards.StandardTotals.AllocationMethod;
import org.computeledger.standards.StandardTotals.Result;
import org.computeledger.standards.StandardTotals.TotalRow;
import org.computeledger.standards.StandardTotals.TreatmentRow;
import org.junit.jupiter.api.Test;

/**
 * Each built-in standard's totals on a registry that has every case of issue 4 — a distillation
 * teacher, a self-released base inside the P2 window and one outside it, a third party's open model,
 * risk-only branches with and without justification, a discarded branch and an evaluation — equal
 * sums of line items worked out by hand. Line item FLOP are distinct powers so a wrong sum shows.
 */
class StandardTotalsTest {
  static final String REGISTRY = """
      developer: Example Lab
      projects:
        - id: atlas
          development_start: 2026-03-01
          precision: bf16
          branches:
            - { id: pretrain, activity: pretraining, match: { slurm: { wckey: pretrain } } }
            - { id: sweep, activity: research, status: discarded, match: { slurm: { wckey: sweep } } }
            - { id: evals, activity: evaluation, match: { slurm: { wckey: eval } } }
            - id: refusal
              activity: fine-tuning
              risk_only: true
              justification: Only teaches refusals; capability evals unchanged (R-12)
              match: { slurm: { wckey: refusal } }
            - { id: jailbreak, activity: fine-tuning, risk_only: true, match: { slurm: { wckey: jailbreak } } }
          uses:
            - { project: teacher, as: distillation-teacher }
            - { resource: own-base-1b, open: true, released_by: Example Lab, released_on: 2026-01-15, project: base-1b }
            - { resource: old-base, open: true, released_by: Example Lab, released_on: 2025-06-01, project: base-old }
            - { resource: public-8b, open: true, released_by: Other Org, released_on: 2025-04-18 }
        - id: teacher
          development_start: 2025-11-01
          precision: bf16
          branches:
            - { id: pretrain, activity: pretraining, match: { slurm: { account: teacher } } }
          uses:
            - { project: base-1b, as: pretraining }
            - { resource: public-8b, open: true, released_by: Other Org, released_on: 2025-04-18 }
        - id: base-1b
          development_start: 2025-09-01
          precision: bf16
          branches:
            - { id: train, activity: pretraining, match: { slurm: { account: base-1b } } }
        - id: base-old
          development_start: 2025-01-01
          precision: bf16
          branches:
            - { id: train, activity: pretraining, match: { slurm: { account: base-old } } }
      """;

  static final Registry LAB = Registry.parse(REGISTRY, "registry.yaml");

  /** Project m with one pre-training branch, pt: for threshold findings on one line item. */
  static final Registry ONE_PROJECT = Registry.parse("""
      developer: L
      projects:
        - id: m
          development_start: 2026-01-01
          precision: bf16
          branches: [ { id: pt, activity: pretraining, match: { slurm: { account: m } } } ]
      """, "r.yaml");
  static final AllocationMethod RUN = new AllocationMethod(0.4, 0.1, 0.7);
  static final LocalDate RUN_DATE = LocalDate.of(2026, 3, 10);

  static LineItem item(String project, String branch, Activity a, Status s, boolean riskOnly, String why,
      double flop, String billed) {
    return new LineItem(project + "/" + branch, project, branch, a, s, riskOnly, why, flop, flop * 0.5, flop * 2,
        0.0, billed == null ? null : new BigDecimal(billed), billed == null ? null : new BigDecimal(billed).multiply(
            BigDecimal.valueOf(2)), "USD");
  }

  static final List<LineItem> ITEMS = List.of(
      item("atlas", "pretrain", Activity.PRETRAINING, Status.KEPT, false, null, 1e24, "1000"),
      item("atlas", "sweep", Activity.RESEARCH, Status.DISCARDED, false, null, 2e22, "20"),
      item("atlas", "evals", Activity.EVALUATION, Status.KEPT, false, null, 3e21, "3"),
      item("atlas", "refusal", Activity.FINE_TUNING, Status.KEPT, true, "Only teaches refusals", 4e21, "4"),
      item("atlas", "jailbreak", Activity.FINE_TUNING, Status.KEPT, true, null, 5e21, "5"),
      item("teacher", "pretrain", Activity.PRETRAINING, Status.KEPT, false, null, 6e24, "6000"),
      item("base-1b", "train", Activity.PRETRAINING, Status.KEPT, false, null, 7e23, "700"),
      item("base-old", "train", Activity.PRETRAINING, Status.KEPT, false, null, 8e23, "800"),
      item("(unattributed)", "(idle or unallocated GPUs)", null, null, false, null, 9e22, null));

  static Standard builtIn(String id) {
    return Standard.builtIns().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  static TotalRow total(Result r, String project) {
    return r.totals().stream().filter(t -> t.project().equals(project)).findFirst().orElseThrow();
  }

  /** line item id → treatment, for one reported project. */
  static Map<String, String> treatments(Result r, String project) {
    Map<String, String> m = new TreeMap<>();
    for (TreatmentRow t : r.treatment()) {
      if (project.equals(t.project())) {
        m.put(t.lineItemId(), t.treatment());
      }
    }
    return m;
  }

  static Result apply(String id) {
    return StandardTotals.apply(builtIn(id), LAB, ITEMS, RUN, RUN_DATE);
  }

  @Test
  void paperCountsTeacherEvaluationDiscardedUnjustifiedRiskOnlyAndTheBaseReleasedInsideTheWindow() {
    TotalRow atlas = total(apply("paper-principles"), "atlas");
    // pretrain + sweep + evals + jailbreak + teacher + base-1b; not refusal, base-old, public-8b
    assertRelClose(1e24 + 2e22 + 3e21 + 5e21 + 6e24 + 7e23, atlas.flop(), 1e-12);
    assertRelClose(0.5 * (1e24 + 2e22 + 3e21 + 5e21 + 6e24 + 7e23), atlas.flopLow(), 1e-12);
    assertEquals(new BigDecimal("7728"), atlas.cost().stripTrailingZeros().setScale(0));
    assertEquals(6, atlas.lineItemsCounted());
    assertEquals(2, atlas.lineItemsExcluded());
  }

  @Test
  void euExcludesTeacherEvaluationDiscardedAndOthersOpenModelsButCountsRiskOnlyAndOwnReleasedBases() {
    TotalRow atlas = total(apply("eu-ai-act"), "atlas");
    assertRelClose(1e24 + 4e21 + 5e21 + 7e23 + 8e23, atlas.flop(), 1e-12);
  }

  @Test
  void californiaAndNewYorkCountOwnTrainingOfEveryReleasedBaseAndNoTeacher() {
    for (String id : List.of("ca-sb53", "ny-raise", "ca-sb1047")) {
      TotalRow atlas = total(apply(id), "atlas");
      assertRelClose(1e24 + 4e21 + 5e21 + 7e23 + 8e23, atlas.flop(), 1e-12);
    }
  }

  @Test
  void paperMinusEuIsExactlyTheItemsThePaperCountsAndTheEuExcludes() {
    Map<String, String> paper = treatments(apply("paper-principles"), "atlas");
    Map<String, String> eu = treatments(apply("eu-ai-act"), "atlas");
    double paperOnly = 0;
    double euOnly = 0;
    for (LineItem li : ITEMS) {
      boolean p = "counted".equals(paper.get(li.id()));
      boolean e = "counted".equals(eu.get(li.id()));
      paperOnly += p && !e ? li.flop() : 0;
      euOnly += e && !p ? li.flop() : 0;
    }
    double diff = total(apply("paper-principles"), "atlas").flop() - total(apply("eu-ai-act"), "atlas").flop();
    assertRelClose(paperOnly - euOnly, diff, 1e-9);
    // refusal (P3 with justification) and base-old (outside P2's window) are counted by the EU, not the paper
    assertRelClose(6e24 + 2e22 + 3e21 - 4e21 - 8e23, diff, 1e-9);
  }

  @Test
  void baseReachedByTwoPathsIsCountedOnce() {
    Result r = apply("paper-principles");
    long rows = r.treatment().stream()
        .filter(t -> "atlas".equals(t.project()) && "base-1b/train".equals(t.lineItemId())).count();
    assertEquals(1, rows);
  }

  @Test
  void selfReleasedBaseOutsideTheWindowIsExcludedWithTheDatesInTheReason() {
    TreatmentRow old = row(apply("paper-principles"), "atlas", "base-old/train");
    assertEquals("excluded", old.treatment());
    assertEquals("self_released_open_resources", old.rule());
    assertTrue(old.reason().contains("2025-06-01") && old.reason().contains("more than 6 months"), old.reason());
  }

  @Test
  void thirdPartyOpenModelIsListedOnceAsExcludedWithNoCompute() {
    // atlas and its teacher both use public-8b; row() insists on exactly one row
    TreatmentRow pub = row(apply("paper-principles"), "atlas", "resource:public-8b");
    assertEquals("excluded", pub.treatment());
    assertEquals("third_party_open_resources", pub.rule());
    assertNull(pub.flop());
  }

  @Test
  void riskOnlyWithoutJustificationCountsAndSaysWhy() {
    Result r = apply("paper-principles");
    TreatmentRow jb = row(r, "atlas", "atlas/jailbreak");
    assertEquals("counted", jb.treatment());
    assertTrue(jb.reason().contains("without a written justification"), jb.reason());
    TreatmentRow ref = row(r, "atlas", "atlas/refusal");
    assertEquals("excluded", ref.treatment());
    assertTrue(ref.reason().contains("Only teaches refusals"), ref.reason());
  }

  @Test
  void unattributedComputeIsInNoProjectTotalButIsReported() {
    Result r = apply("paper-principles");
    for (TotalRow t : r.totals()) {
      assertFalse(t.project().equals("(unattributed)"));
    }
    TreatmentRow idle = row(r, "(unattributed)", "(unattributed)/(idle or unallocated GPUs)");
    assertEquals("excluded", idle.treatment());
    assertEquals("no_project", idle.rule());
  }

  @Test
  void everyRegistryProjectGetsATotal() {
    Result r = apply("eu-ai-act");
    assertEquals(List.of("atlas", "teacher", "base-1b", "base-old"),
        r.totals().stream().map(TotalRow::project).toList());
    // teacher's own total under the EU counts its base model (base_models: counted)
    assertRelClose(6e24 + 7e23, total(r, "teacher").flop(), 1e-12);
  }

  @Test
  void computeAndCostThresholdsAreTestedIndependently() {
    // one line item: 2e26 FLOP but only $50M at market prices
    List<LineItem> items = List.of(new LineItem("m/pt", "m", "pt", Activity.PRETRAINING, Status.KEPT, false, null,
        2e26, 1e26, 3e26, 0.0, new BigDecimal("150000000"), new BigDecimal("50000000"), "USD"));
    TotalRow raise = StandardTotals.apply(builtIn("ny-raise"), ONE_PROJECT, items, RUN, RUN_DATE).totals().get(0);
    assertTrue(raise.crossesCompute());
    assertEquals(Boolean.FALSE, raise.crossesCost()); // market cost, as RAISE prices it
    assertEquals(Boolean.FALSE, raise.inScope()); // RAISE needs both
    TotalRow paper = StandardTotals.apply(builtIn("paper-principles"), ONE_PROJECT, items, RUN, RUN_DATE).totals().get(0);
    assertEquals(Boolean.TRUE, paper.crossesCost()); // billed $150M
    assertEquals(Boolean.TRUE, paper.inScope());
  }

  @Test
  void aMarketCostStandardTotalsTheMarketCostInTheMarketPricesCurrency() {
    // billed 140M EUR, market 50M USD: RAISE prices at market, so its total is 50M USD (not 50M "EUR")
    List<LineItem> items = List.of(new LineItem("m/pt", "m", "pt", Activity.PRETRAINING, Status.KEPT, false, null,
        2e26, 1e26, 3e26, 0.0, new BigDecimal("140000000"), new BigDecimal("50000000"), "EUR", "USD"));
    TotalRow raise = StandardTotals.apply(builtIn("ny-raise"), ONE_PROJECT, items, RUN, RUN_DATE).totals().get(0);
    assertEquals("USD", raise.currency());
    assertEquals(0, new BigDecimal("50000000").compareTo(raise.cost()));
    TotalRow paper = StandardTotals.apply(builtIn("paper-principles"), ONE_PROJECT, items, RUN, RUN_DATE).totals().get(0);
    assertEquals("EUR", paper.currency());
  }

  @Test
  void mayCrossWhenThePointIsBelowAndTheHighEndAbove() {
    List<LineItem> items = List.of(new LineItem("m/pt", "m", "pt", Activity.PRETRAINING, Status.KEPT, false, null,
        8e24, 4e24, 1.2e25, 0.0, null, null, null));
    TotalRow eu = StandardTotals.apply(builtIn("eu-ai-act"), ONE_PROJECT, items, RUN, RUN_DATE).totals().get(0);
    assertFalse(eu.crossesCompute());
    assertTrue(eu.mayCrossCompute());
    assertTrue(eu.otherThresholds().contains("gpai-indicator (1.000e+23 FLOP): crossed"), eu.otherThresholds());
  }

  @Test
  void missingCostIsUnknownNeverZero() {
    List<LineItem> items = List.of(
        new LineItem("m/a", "m", "a", Activity.PRETRAINING, Status.KEPT, false, null, 1e20, 1e20, 1e20, 0.0,
            new BigDecimal("10"), new BigDecimal("10"), "USD"),
        new LineItem("m/b", "m", "b", Activity.PRETRAINING, Status.KEPT, false, null, 1e20, 1e20, 1e20, 0.0,
            null, null, null));
    Registry reg = Registry.parse("""
        developer: L
        projects:
          - id: m
            development_start: 2026-01-01
            precision: bf16
            branches:
              - { id: a, activity: pretraining, match: { slurm: { account: a } } }
              - { id: b, activity: pretraining, match: { slurm: { account: b } } }
        """, "r.yaml");
    TotalRow raise = StandardTotals.apply(builtIn("ny-raise"), ONE_PROJECT, items, RUN, RUN_DATE).totals().get(0);
    assertFalse(raise.costComplete());
    assertNull(raise.crossesCost());
    assertEquals(Boolean.FALSE, raise.inScope()); // compute alone already puts it out of scope
  }

  @Test
  void reviewWarningOnlyAfterTheReviewDate() {
    Standard eu = builtIn("eu-ai-act"); // effective 2025-08-02, reviewed every 12 months
    assertFalse(StandardTotals.apply(eu, LAB, ITEMS, RUN, LocalDate.of(2026, 8, 2)).totals().get(0).reviewOverdue());
    TotalRow late = StandardTotals.apply(eu, LAB, ITEMS, RUN, LocalDate.of(2026, 8, 3)).totals().get(0);
    assertTrue(late.reviewOverdue());
    assertTrue(late.reviewWarning().contains("2026-08-02"), late.reviewWarning());
  }

  @Test
  void sb1047IsMarkedHistorical() {
    assertTrue(total(apply("ca-sb1047"), "atlas").historical());
    assertFalse(total(apply("ca-sb53"), "atlas").historical());
  }

  @Test
  void allocationFlopFollowsTheStandardsAssumedUtilization() {
    Standard half = StandardParser.parse(StandardParserTest.builtInText("paper-principles-1.0.yaml")
        .replace("assumed_utilization: 0.4", "assumed_utilization: 0.2"), "half.yaml");
    // 1e20 by telemetry plus 4e20 by allocation at the run's 0.4 (base 1e21); low 1e20*0.5 + 1e21*0.1
    LineItem li = new LineItem("m/a", "m", "a", Activity.PRETRAINING, Status.KEPT, false, null,
        5e20, 0.5e20 + 1e20, 1e20 + 7e20, 4e20, null, null, null);
    double[] f = StandardTotals.flopUnder(half, li, RUN);
    assertRelClose(1e20 + 2e20, f[0], 1e-12);
    assertRelClose(0.5e20 + 1e20, f[1], 1e-12);
    assertRelClose(1e20 + 7e20, f[2], 1e-12);
  }

  @Test
  void cycleThroughAResourcesProjectIsARegistryError() {
    String line = "      - { id: train, activity: pretraining, match: { slurm: { account: base-1b } } }\n";
    String cyclic = REGISTRY.replace(line,
        line + "    uses:\n      - { resource: atlas-weights, open: false, project: atlas }\n");
    RegistryException e = assertThrows(RegistryException.class, () -> Registry.parse(cyclic, "registry.yaml"));
    assertTrue(e.getMessage().contains("cycle of uses"), e.getMessage());
  }

  static TreatmentRow row(Result r, String project, String lineItem) {
    List<TreatmentRow> found = new ArrayList<>();
    for (TreatmentRow t : r.treatment()) {
      if (project.equals(t.project()) && lineItem.equals(t.lineItemId())) {
        found.add(t);
      }
    }
    assertEquals(1, found.size(), project + " " + lineItem + ": " + found);
    return found.get(0);
  }
}
