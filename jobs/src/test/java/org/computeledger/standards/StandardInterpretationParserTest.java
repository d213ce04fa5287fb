package org.computeledger.standards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The standard file fields of issue 15: interpretation notes, the developer revenue test, thresholds on part of the compute. */
class StandardInterpretationParserTest {
  static final String RAISE_2026 = StandardParserTest.builtInText("ny-raise-2026.yaml");

  @Test
  void aRuleMarkedInterpretationCarriesItsNote() {
    Standard s = StandardParser.parse(RAISE_2026, "r.yaml");
    assertTrue(s.rules().teachers().interpretation().contains("not settled"), s.rules().teachers().interpretation());
    assertNull(s.rules().evaluations().interpretation());
  }

  @Test
  void anInterpretationWithoutANoteIsRefused() {
    String m = StandardParserTest.refused(RAISE_2026.replace(
        "evaluations: { treatment: excluded, basis:", "evaluations: { interpretation: true, treatment: excluded, basis:"));
    assertTrue(m.contains("rules.evaluations.note") && m.contains("missing"), m);
  }

  @Test
  void aNoteWithoutInterpretationIsRefused() {
    String m = StandardParserTest.refused(RAISE_2026.replace(
        "evaluations: { treatment: excluded, basis:", "evaluations: { note: x, treatment: excluded, basis:"));
    assertTrue(m.contains("rules.evaluations.note") && m.contains("interpretation: true"), m);
  }

  @Test
  void largeDeveloperRevenueIsReadAsMoney() {
    Standard s = StandardParser.parse(RAISE_2026, "r.yaml");
    assertEquals(0, s.largeDeveloper().revenue().compareTo(new java.math.BigDecimal("500000000")));
    assertEquals("USD", s.largeDeveloper().currency());
  }

  @Test
  void anUnknownModalityIsRefused() {
    String eu = StandardParserTest.builtInText("eu-ai-act-2025.yaml");
    String m = StandardParserTest.refused(eu.replace("modalities: [text, audio", "modalities: [txt, audio"));
    assertTrue(m.contains("compute_thresholds[1].modalities") && m.contains("'txt'"), m);
  }
}
