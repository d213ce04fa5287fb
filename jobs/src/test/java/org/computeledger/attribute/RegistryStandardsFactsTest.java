package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry's optional facts that only the standards read: revenue, modalities, architecture, modified bases. */
class RegistryStandardsFactsTest {
  static String registry(String top, String project, String branch, String use) {
    return """
        developer: L
        %s
        projects:
          - id: m
            development_start: 2026-01-01
            precision: bf16
            %s
            branches:
              - id: pt
                activity: pretraining
                %s
                match: { slurm: { account: m } }
            uses:
              - { resource: b, open: true, released_by: O, released_on: 2025-01-01%s }
        """.formatted(top, project, branch, use);
  }

  static String refused(String yaml) {
    return assertThrows(RegistryException.class, () -> Registry.parse(yaml, "registry.yaml")).getMessage();
  }

  @Test
  void everyFactIsReadWhenGiven() {
    Registry r = Registry.parse(registry("developer_revenue: { annual_gross: 750000000, currency: USD, year: 2025 }",
        "generates: [text, code]", "architecture: { parameters: 7.0e9, tokens: 1.0e12, epochs: 2, moe: true }",
        ", base_model: true, training_flop: 3.0e24, systemic_risk: false"), "registry.yaml");
    assertEquals(new Registry.DeveloperRevenue(new BigDecimal("750000000"), "USD", 2025), r.revenue());
    Registry.Project m = r.projects().get(0);
    assertEquals(List.of("text", "code"), m.generates());
    assertEquals(new Registry.Architecture(7e9, 1e12, 2, true), m.branches().get(0).architecture());
    Registry.Use u = m.uses().get(0);
    assertTrue(u.baseModel());
    assertEquals(3.0e24, u.originalTrainingFlop());
    assertEquals(Boolean.FALSE, u.originalSystemicRisk());
  }

  @Test
  void everyFactIsOptionalAndEpochsDefaultToOne() {
    Registry r = Registry.parse(registry("", "", "architecture: { parameters: 1.0e9, tokens: 1.0e10 }", ""),
        "registry.yaml");
    assertNull(r.revenue());
    assertEquals(List.of(), r.projects().get(0).generates());
    assertEquals(1.0, r.projects().get(0).branches().get(0).architecture().epochs());
    assertTrue(!r.projects().get(0).uses().get(0).baseModel());
  }

  @Test
  void aNonPositiveParameterCountIsRefusedWithItsLine() {
    String m = refused(registry("", "", "architecture: { parameters: 0, tokens: 1.0e10 }", ""));
    assertTrue(m.startsWith("registry.yaml:11:") && m.contains("parameters '0'"), m);
  }

  @Test
  void originalFactsWithoutBaseModelAreRefused() {
    String m = refused(registry("", "", "", ", training_flop: 3.0e24"));
    assertTrue(m.contains("base_model: true"), m);
  }

  @Test
  void anUnknownModalityIsRefused() {
    String m = refused(registry("", "generates: [telepathy]", "", ""));
    assertTrue(m.contains("'telepathy'"), m);
  }

  @Test
  void dataPublishedOnlyOnASyntheticDataBranch() {
    String m = refused(registry("", "", "data_published: true", ""));
    assertTrue(m.contains("only a synthetic-data branch"), m);
  }
}
