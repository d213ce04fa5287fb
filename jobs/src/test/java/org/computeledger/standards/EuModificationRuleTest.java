package org.computeledger.standards;

import static org.computeledger.SparkTestBase.assertRelClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.computeledger.attribute.Registry;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.attribute.Registry.Status;
import org.computeledger.standards.StandardTotals.TotalRow;
import org.junit.jupiter.api.Test;

/**
 * The EU guidelines' rules that the 2025 file applied loosely: the one-third rule measured against
 * the original model's compute with its two fall-backs, the developer's own released models counted,
 * and the 10^23 indicator counting only compute that updates parameters, for models that generate
 * language, images or video.
 */
class EuModificationRuleTest {
  static Registry modifier(String baseFacts) {
    return Registry.parse("""
        developer: L
        projects:
          - id: m
            development_start: 2026-01-01
            precision: bf16
            branches: [ { id: ft, activity: fine-tuning, match: { slurm: { account: m } } } ]
            uses:
              - { resource: other-base, open: true, released_by: Other Org, released_on: 2025-04-18, base_model: true%s }
        """.formatted(baseFacts), "r.yaml");
  }

  static TotalRow eu(Registry r, double flop) {
    return euTotal(r, li("ft", Activity.FINE_TUNING, Status.KEPT, flop));
  }

  @Test
  void knownOriginalComputeSetsTheThresholdAtOneThirdOfIt() {
    Registry r = modifier(", training_flop: 6.0e23");
    assertRelClose(2.0e23, eu(r, 2.5e23).modificationThresholdFlop(), 1e-12);
    assertEquals(Boolean.TRUE, eu(r, 2.5e23).crossesModification());
    assertEquals(Boolean.FALSE, eu(r, 1.5e23).crossesModification());
  }

  @Test
  void unknownComputeOfASystemicRiskOriginalFallsBackToOneThirdOf1e25AndThePresumptionCarriesOver() {
    TotalRow t = eu(modifier(", systemic_risk: true"), 4e24);
    assertRelClose(1e25 / 3, t.modificationThresholdFlop(), 1e-12);
    assertEquals(Boolean.TRUE, t.crossesModification());
    assertTrue(t.modificationNote().contains("presumed to have systemic risk"), t.modificationNote());
    assertEquals(Boolean.FALSE, eu(modifier(", systemic_risk: true"), 3e24).crossesModification());
  }

  @Test
  void unknownComputeOfAnOtherOriginalFallsBackToOneThirdOf1e23() {
    TotalRow t = eu(modifier(", systemic_risk: false"), 5e22);
    assertRelClose(1e23 / 3, t.modificationThresholdFlop(), 1e-12);
    assertEquals(Boolean.TRUE, t.crossesModification());
    assertEquals(Boolean.FALSE, eu(modifier(", systemic_risk: false"), 3e22).crossesModification());
  }

  @Test
  void aProjectThatModifiesNoOneElsesModelHasNoModificationFinding() {
    TotalRow t = eu(StandardTotalsTest.ONE_PROJECT, 5e24);
    assertNull(t.modificationThresholdFlop());
    assertNull(t.crossesModification());
  }

  @Test
  void selfReleasedBasesCountUnderTheEuAsWeightsTheModelWasInitialisedFrom() {
    TotalRow atlas = StandardTotalsTest.total(StandardTotalsTest.apply("eu-ai-act"), "atlas");
    // pretrain + refusal + jailbreak + base-1b + base-old; not teacher, evals, sweep, public-8b
    assertRelClose(1e24 + 4e21 + 5e21 + 7e23 + 8e23, atlas.flop(), 1e-12);
  }

  /** One project m with the given lines (generates, branches) after its precision. */
  static Registry project(String lines) {
    return Registry.parse("""
        developer: L
        projects:
          - id: m
            development_start: 2026-01-01
            precision: bf16
        """ + lines.indent(4), "r.yaml");
  }

  static LineItem li(String branch, Activity a, Status status, double flop) {
    return new LineItem("m/" + branch, "m", branch, a, status, false, null, flop, flop, flop, 0.0, null, null, null);
  }

  static TotalRow euTotal(Registry r, LineItem... items) {
    return StandardTotals.apply(StandardTotalsTest.builtIn("eu-ai-act"), r, List.of(items), StandardTotalsTest.RUN,
        StandardTotalsTest.RUN_DATE).totals().get(0);
  }

  @Test
  void gpaiIndicatorCountsOnlyComputeThatUpdatesParametersOfALanguageModel() {
    Registry r = project("""
        generates: [text]
        branches:
          - { id: gen, activity: synthetic-data, match: { slurm: { account: g } } }
          - { id: ft, activity: fine-tuning, match: { slurm: { account: f } } }
        """);
    TotalRow t = euTotal(r, li("gen", Activity.SYNTHETIC_DATA, Status.KEPT, 5e22),
        li("ft", Activity.FINE_TUNING, Status.KEPT, 8e22));
    assertRelClose(1.3e23, t.flop(), 1e-12); // cumulative compute counts the generation
    assertTrue(t.otherThresholds().contains("gpai-indicator (1.000e+23 FLOP): not crossed"), t.otherThresholds());
    assertTrue(t.otherThresholds().contains("8.000e+22"), t.otherThresholds());
  }

  @Test
  void gpaiIndicatorDoesNotApplyToAnImageModelThatTakesNoTextPrompt() {
    Registry r = project("""
        generates: [image]
        branches: [ { id: pt, activity: pretraining, match: { slurm: { account: m } } } ]
        """);
    TotalRow t = euTotal(r, li("pt", Activity.PRETRAINING, Status.KEPT, 5e23));
    assertTrue(t.otherThresholds().contains("gpai-indicator (1.000e+23 FLOP): not applicable"), t.otherThresholds());
  }

  @Test
  void keptSyntheticDataGenerationCountsWholeAndAFailedDiscardedExperimentDoesNot() {
    Registry r = project("""
        branches:
          - { id: gen, activity: synthetic-data, match: { slurm: { account: g } } }
          - { id: gen-try, activity: synthetic-data, status: discarded, match: { slurm: { account: t } } }
          - { id: pt, activity: pretraining, match: { slurm: { account: p } } }
        """);
    // gen's 3e22 are all its forward passes, the discarded samples among them (para 119)
    TotalRow t = euTotal(r, li("gen", Activity.SYNTHETIC_DATA, Status.KEPT, 3e22),
        li("gen-try", Activity.SYNTHETIC_DATA, Status.DISCARDED, 2e22), li("pt", Activity.PRETRAINING, Status.KEPT, 5e23));
    assertRelClose(3e22 + 5e23, t.flop(), 1e-12);
  }

  @Test
  void publishedSyntheticDataNeedNotCountUnderTheEuButCountsForThePaper() {
    Registry r = project("""
        branches:
          - { id: gen, activity: synthetic-data, data_published: true, match: { slurm: { account: g } } }
          - { id: pt, activity: pretraining, match: { slurm: { account: p } } }
        """);
    LineItem gen = li("gen", Activity.SYNTHETIC_DATA, Status.KEPT, 3e22);
    LineItem pt = li("pt", Activity.PRETRAINING, Status.KEPT, 5e23);
    assertRelClose(5e23, euTotal(r, gen, pt).flop(), 1e-12);
    StandardTotals.Result paper = StandardTotals.apply(StandardTotalsTest.builtIn("paper-principles"), r,
        List.of(gen, pt), StandardTotalsTest.RUN, StandardTotalsTest.RUN_DATE);
    assertRelClose(3e22 + 5e23, paper.totals().get(0).flop(), 1e-12);
    StandardTotals.TreatmentRow row = StandardTotals.apply(StandardTotalsTest.builtIn("eu-ai-act"), r,
        List.of(gen, pt), StandardTotalsTest.RUN, StandardTotalsTest.RUN_DATE).treatment().stream()
        .filter(t -> t.lineItemId().equals("m/gen")).findFirst().orElseThrow();
    assertEquals("published_synthetic_data", row.rule());
  }
}
