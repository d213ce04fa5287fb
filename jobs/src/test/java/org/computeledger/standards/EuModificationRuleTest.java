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
    List<LineItem> items = List.of(new LineItem("m/ft", "m", "ft", Activity.FINE_TUNING, Status.KEPT, false, null,
        flop, flop, flop, 0.0, null, null, null));
    return StandardTotals.apply(StandardTotalsTest.builtIn("eu-ai-act"), r, items, StandardTotalsTest.RUN,
        StandardTotalsTest.RUN_DATE).totals().get(0);
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

  @Test
  void gpaiIndicatorCountsOnlyComputeThatUpdatesParametersOfALanguageModel() {
    Registry r = Registry.parse("""
        developer: L
        projects:
          - id: m
            development_start: 2026-01-01
            precision: bf16
            generates: [text]
            branches:
              - { id: gen, activity: synthetic-data, match: { slurm: { account: g } } }
              - { id: ft, activity: fine-tuning, match: { slurm: { account: f } } }
        """, "r.yaml");
    List<LineItem> items = List.of(
        new LineItem("m/gen", "m", "gen", Activity.SYNTHETIC_DATA, Status.KEPT, false, null, 5e22, 5e22, 5e22, 0.0,
            null, null, null),
        new LineItem("m/ft", "m", "ft", Activity.FINE_TUNING, Status.KEPT, false, null, 8e22, 8e22, 8e22, 0.0,
            null, null, null));
    TotalRow t = StandardTotals.apply(StandardTotalsTest.builtIn("eu-ai-act"), r, items, StandardTotalsTest.RUN,
        StandardTotalsTest.RUN_DATE).totals().get(0);
    assertRelClose(1.3e23, t.flop(), 1e-12); // cumulative compute counts the generation
    assertTrue(t.otherThresholds().contains("gpai-indicator (1.000e+23 FLOP): not crossed"), t.otherThresholds());
    assertTrue(t.otherThresholds().contains("8.000e+22"), t.otherThresholds());
  }

  @Test
  void gpaiIndicatorDoesNotApplyToAnImageModelThatTakesNoTextPrompt() {
    Registry r = Registry.parse("""
        developer: L
        projects:
          - id: m
            development_start: 2026-01-01
            precision: bf16
            generates: [image]
            branches: [ { id: pt, activity: pretraining, match: { slurm: { account: m } } } ]
        """, "r.yaml");
    List<LineItem> items = List.of(new LineItem("m/pt", "m", "pt", Activity.PRETRAINING, Status.KEPT, false, null,
        5e23, 5e23, 5e23, 0.0, null, null, null));
    TotalRow t = StandardTotals.apply(StandardTotalsTest.builtIn("eu-ai-act"), r, items, StandardTotalsTest.RUN,
        StandardTotalsTest.RUN_DATE).totals().get(0);
    assertTrue(t.otherThresholds().contains("gpai-indicator (1.000e+23 FLOP): not applicable"), t.otherThresholds());
  }

  @Test
  void keptSyntheticDataGenerationCountsWholeAndAFailedDiscardedExperimentDoesNot() {
    Registry r = Registry.parse("""
        developer: L
        projects:
          - id: m
            development_start: 2026-01-01
            precision: bf16
            branches:
              - { id: gen, activity: synthetic-data, match: { slurm: { account: g } } }
              - { id: gen-try, activity: synthetic-data, status: discarded, match: { slurm: { account: t } } }
              - { id: pt, activity: pretraining, match: { slurm: { account: p } } }
        """, "r.yaml");
    // gen's 3e22 are all its forward passes, the discarded samples among them (para 119)
    List<LineItem> items = List.of(
        new LineItem("m/gen", "m", "gen", Activity.SYNTHETIC_DATA, Status.KEPT, false, null, 3e22, 3e22, 3e22, 0.0,
            null, null, null),
        new LineItem("m/gen-try", "m", "gen-try", Activity.SYNTHETIC_DATA, Status.DISCARDED, false, null, 2e22, 2e22,
            2e22, 0.0, null, null, null),
        new LineItem("m/pt", "m", "pt", Activity.PRETRAINING, Status.KEPT, false, null, 5e23, 5e23, 5e23, 0.0,
            null, null, null));
    TotalRow t = StandardTotals.apply(StandardTotalsTest.builtIn("eu-ai-act"), r, items, StandardTotalsTest.RUN,
        StandardTotalsTest.RUN_DATE).totals().get(0);
    assertRelClose(3e22 + 5e23, t.flop(), 1e-12);
  }
}
