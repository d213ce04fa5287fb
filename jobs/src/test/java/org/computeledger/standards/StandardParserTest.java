package org.computeledger.standards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.computeledger.attribute.Registry.Activity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in standard files say what issue 4 asks of each standard, and a user's file that is
 * wrong in any way is refused with one line naming the file, the field and what was expected. Bad
 * cases are a built-in file with one part altered.
 */
class StandardParserTest {
  static String builtInText(String name) {
    try (InputStream in = StandardParserTest.class.getResourceAsStream("/standards/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Standard builtIn(String id) {
    return Standard.builtIns().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  static String refused(String text) {
    return assertThrows(StandardException.class, () -> StandardParser.parse(text, "mine.yaml")).getMessage();
  }

  @Test
  void everyBuiltInParsesInIndexOrder() {
    assertEquals(List.of("paper-principles", "eu-ai-act", "ca-sb53", "ny-raise", "ny-raise", "ca-sb1047"),
        Standard.builtIns().stream().map(Standard::id).toList());
  }

  @Test
  void paperHasSixMonthSelfReleaseWindowAndCountsEverything() {
    Standard p = builtIn("paper-principles");
    assertEquals(Standard.SelfRelease.COUNTED_WITHIN_WINDOW, p.rules().selfReleasedOpenResources().treatment());
    assertEquals(6, p.rules().selfReleasedOpenResources().windowMonths());
    assertTrue(p.rules().teachers().counts() && p.rules().evaluations().counts()
        && p.rules().discardedBranches().counts());
    assertEquals(Standard.RiskOnly.EXCLUDED_WITH_JUSTIFICATION, p.rules().riskOnly().treatment());
  }

  @Test
  void euHasTheSystemicRiskPresumptionTheGpaiIndicatorAndTheOneThirdRule() {
    Standard eu = builtIn("eu-ai-act");
    assertEquals(List.of(1e25, 1e23), eu.computeThresholds().stream()
        .map(Standard.ComputeThreshold::flop).toList());
    assertEquals(1.0 / 3, eu.modificationRule().fractionOfOriginal(), 1e-12);
    assertEquals(1e25, eu.modificationRule().unknownSystemicRiskFlop());
    assertEquals(1e23, eu.modificationRule().unknownOtherFlop());
    assertTrue(!eu.rules().teachers().counts() && !eu.rules().evaluations().counts());
    assertTrue(!eu.countedActivities().contains(Activity.RESEARCH));
    assertTrue(eu.sources().stream().anyMatch(s -> s.contains("C(2025) 5045")));
  }

  @Test
  void raiseAndSb1047PriceAtMarketAndNeedBothThresholds() {
    for (String id : List.of("ny-raise", "ca-sb1047")) {
      Standard s = builtIn(id);
      assertEquals(Standard.CostBasis.MARKET, s.costBasis(), id);
      assertEquals(Standard.Trigger.COMPUTE_AND_COST, s.trigger(), id);
      assertEquals(0, s.costThresholds().get(0).amount().compareTo(new java.math.BigDecimal("100000000")), id);
    }
    Standard sb1047 = builtIn("ca-sb1047");
    assertTrue(sb1047.historical());
    assertEquals(3e25, sb1047.computeThresholds().get(1).flop());
    assertEquals(0, sb1047.costThresholds().get(1).amount().compareTo(new java.math.BigDecimal("10000000")));
  }

  @Test
  void sb53CountsFineTuningAndModificationsAtTenToTheTwentySix() {
    Standard s = builtIn("ca-sb53");
    assertEquals(1e26, s.computeThresholds().get(0).flop());
    assertTrue(s.countedActivities().containsAll(List.of(Activity.PRETRAINING, Activity.FINE_TUNING, Activity.RL)));
  }

  @Test
  void unknownFieldIsNamedWithTheFieldsExpected() {
    String m = refused(builtInText("eu-ai-act-2025.yaml").replace("historical: false", "historic: false"));
    assertTrue(m.startsWith("mine.yaml: field 'historic': expected"), m);
    assertTrue(m.contains("historical"), m);
  }

  @Test
  void missingRuleIsNamed() {
    String m = refused(builtInText("ca-sb53-2025.yaml").replaceAll("(?m)^  teachers:.*\\n", ""));
    assertEquals("mine.yaml: field 'rules.teachers': expected a value; the field is missing", m);
  }

  @Test
  void badTreatmentListsTheChoices() {
    String m = refused(builtInText("ca-sb53-2025.yaml").replace(
        "evaluations: { treatment: excluded", "evaluations: { treatment: maybe"));
    assertEquals("mine.yaml: field 'rules.evaluations.treatment': expected one of counted|excluded, got 'maybe'", m);
  }

  @Test
  void evaluationIsNotAnActivityToList() {
    String m = refused(builtInText("ca-sb53-2025.yaml").replace("[pretraining, fine-tuning, rl]",
        "[pretraining, evaluation]"));
    assertTrue(m.contains("field 'counted_activities'") && m.contains("rules.evaluations"), m);
  }

  @Test
  void costTriggerWithoutACostThresholdIsRefused() {
    String m = refused(builtInText("ca-sb53-2025.yaml").replace("trigger: compute", "trigger: compute-and-cost"));
    assertTrue(m.startsWith("mine.yaml: field 'cost_thresholds': expected at least one"), m);
  }

  @Test
  void thresholdMustBeANumber() {
    String m = refused(builtInText("ca-sb53-2025.yaml").replace("flop: 1.0e26", "flop: lots"));
    assertEquals("mine.yaml: field 'compute_thresholds[0].flop': expected a number, got 'lots'", m);
  }

  @Test
  void badDateIsNamed() {
    String m = refused(builtInText("ca-sb53-2025.yaml").replace("effective_date: 2026-01-01",
        "effective_date: 1 January 2026"));
    assertTrue(m.startsWith("mine.yaml: field 'effective_date': expected an ISO date"), m);
  }

  @Test
  void windowOnlyWithCountedWithinWindow() {
    String m = refused(builtInText("ca-sb53-2025.yaml").replace(
        "self_released_open_resources: { treatment: counted,", "self_released_open_resources: { treatment: counted, window_months: 6,"));
    assertTrue(m.contains("rules.self_released_open_resources.window_months"), m);
  }

  @Test
  void notYamlIsOneLine() {
    String m = refused("id: [unclosed\n");
    assertTrue(m.startsWith("mine.yaml") && m.contains("not valid YAML") && !m.contains("\n"), m);
  }

  @Test
  void userFileLoadsFromDiskWithItsPathInErrors(@TempDir Path dir) throws IOException {
    Path ok = dir.resolve("house-2026.yaml");
    Files.writeString(ok, builtInText("ca-sb53-2025.yaml").replace("id: ca-sb53", "id: house-rules"));
    assertEquals("house-rules", Standard.load(ok).id());
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, builtInText("ca-sb53-2025.yaml").replace("assumed_utilization: 0.4", "assumed_utilization: 4"));
    String m = assertThrows(StandardException.class, () -> Standard.load(bad)).getMessage();
    assertTrue(m.startsWith(bad + ": field 'assumed_utilization': expected a share in (0, 1]"), m);
  }
}
