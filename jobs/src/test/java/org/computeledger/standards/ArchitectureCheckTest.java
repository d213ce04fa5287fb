package org.computeledger.standards;

import static org.computeledger.SparkTestBase.assertRelClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.computeledger.attribute.Registry;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.attribute.Registry.Architecture;
import org.computeledger.attribute.Registry.Status;
import org.computeledger.standards.StandardTotals.TotalRow;
import org.computeledger.standards.StandardTotals.TreatmentRow;
import org.junit.jupiter.api.Test;

/**
 * The architecture-based estimate (6·N·D) beside the hardware-based one, and the 30 % line of the EU
 * guidelines' error margin on both sides of it.
 */
class ArchitectureCheckTest {
  @Test
  void sixTimesParametersTimesTokensOverAllEpochs() {
    // 6 × 7e9 × (1e12 × 2) = 8.4e22
    assertRelClose(8.4e22, ArchitectureCheck.flop(new Architecture(7e9, 1e12, 2, false)), 1e-12);
  }

  @Test
  void agreesWithin30PercentOfTheHardwareEstimateOnBothSides() {
    assertEquals("agrees", ArchitectureCheck.check(1e22, 1.29e22));
    assertEquals("agrees", ArchitectureCheck.check(1e22, 0.71e22));
  }

  @Test
  void disagreesBeyond30PercentOnBothSides() {
    assertEquals("disagrees", ArchitectureCheck.check(1e22, 1.31e22));
    assertEquals("disagrees", ArchitectureCheck.check(1e22, 0.69e22));
  }

  @Test
  void notGivenWithoutTheRegistrysArchitecture() {
    assertEquals("not-given", ArchitectureCheck.check(1e22, null));
  }

  static final Registry REG = Registry.parse("""
      developer: L
      projects:
        - id: m
          development_start: 2026-01-01
          precision: bf16
          branches:
            - id: pt
              activity: pretraining
              architecture: { parameters: 1.0e9, tokens: 1.0e12 }
              match: { slurm: { account: a } }
            - id: ft
              activity: fine-tuning
              architecture: { parameters: 1.0e9, tokens: 1.0e10, epochs: 3, moe: false }
              match: { slurm: { account: b } }
            - { id: rl, activity: rl, match: { slurm: { account: c } } }
      """, "r.yaml");

  static LineItem item(String branch, Activity a, double flop) {
    return new LineItem("m/" + branch, "m", branch, a, Status.KEPT, false, null, flop, flop, flop, 0.0, null, null,
        null);
  }

  @Test
  void eachLineItemAndTheTotalCarryTheArchitectureEstimateAndItsCheck() {
    // pt: 6 × 1e9 × 1e12 = 6e21 against 7e21 by hardware (14 % apart): agrees
    // ft: 6 × 1e9 × 3e10 = 1.8e20 against 3e20 by hardware (40 % apart): disagrees
    // rl: no architecture
    List<LineItem> items = List.of(item("pt", Activity.PRETRAINING, 7e21), item("ft", Activity.FINE_TUNING, 3e20),
        item("rl", Activity.RL, 1e20));
    StandardTotals.Result r = StandardTotals.apply(StandardTotalsTest.builtIn("ca-sb53"), REG, items,
        StandardTotalsTest.RUN, StandardTotalsTest.RUN_DATE);
    TreatmentRow pt = r.treatment().stream().filter(t -> t.lineItemId().equals("m/pt")).findFirst().orElseThrow();
    TreatmentRow ft = r.treatment().stream().filter(t -> t.lineItemId().equals("m/ft")).findFirst().orElseThrow();
    TreatmentRow rl = r.treatment().stream().filter(t -> t.lineItemId().equals("m/rl")).findFirst().orElseThrow();
    assertRelClose(6e21, pt.flopArchitecture(), 1e-12);
    assertEquals("agrees", pt.architectureCheck());
    assertRelClose(1.8e20, ft.flopArchitecture(), 1e-12);
    assertEquals("disagrees", ft.architectureCheck());
    assertNull(rl.flopArchitecture());
    assertEquals("not-given", rl.architectureCheck());
    // the total compares the two line items that have both: 6.18e21 against 7.3e21 (15 % apart)
    TotalRow t = r.totals().get(0);
    assertRelClose(6e21 + 1.8e20, t.flopArchitecture(), 1e-12);
    assertEquals(2, t.architectureLineItems());
    assertEquals("agrees", t.architectureCheck());
  }
}
